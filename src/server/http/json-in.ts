/** JSON request bodies without silent int64 loss: the parser lives in core/ (bulk import reads files with it too). */
export { parseJsonBody } from '../../core/json-lossless.js';
