/** The errors the library throws: the classes and the failure-type table live in src/shared/errors.ts. */
export * from '../shared/errors';
