// The one definition lives beside the Pacer that also uses it.
export { throwIfAborted } from '../../core/pacer.js';
