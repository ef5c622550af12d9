export * from './common/errors.ts';
export * from './common/ids.ts';
export * from './permissions.ts';
