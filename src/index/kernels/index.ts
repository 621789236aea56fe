export { l2SqF32, ipF32, normSqF32, cosineF32 } from './dense.js';
export {
  FLOAT16_TABLE, decodeFloat16, encodeFloat16, float32ToBfloat16, bfloat16ToFloat32,
  decodeFloat16Into, decodeBfloat16Into, decodeInt8Into,
} from './half.js';
export { POPCOUNT8, popcount32, hammingBytes, hammingWords, jaccardBytes, jaccardWords } from './binary.js';
export { sparseIp } from './sparse.js';
