/** The engine's version (package.json's; a test keeps them equal): part of the autotune cache key. */
export const ENGINE_VERSION = '0.1.0';
