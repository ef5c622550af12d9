/**
 * Photo limits for problems, in a module without zod so the phone page can import them
 * (`@linli/shared/problems/limits`) without pulling every schema into its bundle.
 */

/** Photos: at most 2 MB of JPEG, PNG or WebP. */
export const PROBLEM_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const PROBLEM_PHOTO_MAX_BYTES = 2 * 1024 * 1024;
