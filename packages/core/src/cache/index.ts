export { ByteLru } from './byte-lru.ts';
