export * from './enums.js';
export * from './models.js';
export * from './features.js';
export * from './explanations.js';
export * from './users.js';
export * from './imports.js';
export * from './lists.js';
export * from './steering.js';
