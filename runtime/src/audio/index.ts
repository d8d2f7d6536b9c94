export * from './frames.js';
export * from './g711.js';
export * from './resample.js';
