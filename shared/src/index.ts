export * from './common/errors.ts';
export * from './common/ids.ts';
export * from './permissions.ts';
export * from './auth/schemas.ts';
export * from './socket.ts';
export * from './communities/schemas.ts';
