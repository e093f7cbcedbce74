// A one-node ONNX model, `y = x·W + b` (Gemm, transB when W is stored `[out, in]`), written as protobuf by hand so the
// engine needs no protobuf or ONNX package: onnxruntime runs it as the engine's matmul.
// Field numbers are onnx.proto's (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto, TypeProto.Tensor, TensorShapeProto.Dimension).

function varint(v: number): Buffer {
  const out: number[] = [];
  while (v > 127) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
/** A length-delimited field (wire type 2). */
const field = (no: number, bytes: Buffer): Buffer => cat(varint(no * 8 + 2), varint(bytes.length), bytes);
/** A varint field (wire type 0). */
const int = (no: number, v: number): Buffer => cat(varint(no * 8), varint(v));
const str = (no: number, s: string): Buffer => field(no, Buffer.from(s));

const FLOAT = 1; // TensorProto.DataType.FLOAT

function tensor(name: string, dims: number[], data: Float32Array): Buffer {
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return cat(...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), field(9, raw));
}

function valueInfo(name: string, dims: (number | string)[]): Buffer {
  const dim = (d: number | string): Buffer => field(1, typeof d === 'number' ? int(1, d) : str(2, d));
  const shape = field(2, cat(...dims.map(dim)));
  return cat(str(1, name), field(2, field(1, cat(int(1, FLOAT), shape))));
}

/** Model bytes for `y[N, out] = x[N, in] · W (+ bias[out])`, W stored `[in, out]` or (transB) `[out, in]`. */
export function gemmModel(w: Float32Array, inDim: number, outDim: number, transB: boolean, bias?: Float32Array): Buffer {
  const attribute = cat(str(1, 'transB'), int(20, 2 /* AttributeProto.INT */), int(3, transB ? 1 : 0));
  const inputs = bias ? ['x', 'W', 'b'] : ['x', 'W'];
  const node = cat(...inputs.map((i) => str(1, i)), str(2, 'y'), str(4, 'Gemm'), field(5, attribute));
  const graph = cat(
    field(1, node),
    str(2, 'linear'),
    field(5, tensor('W', transB ? [outDim, inDim] : [inDim, outDim], w)),
    ...(bias ? [field(5, tensor('b', [outDim], bias))] : []),
    field(11, valueInfo('x', ['N', inDim])),
    field(12, valueInfo('y', ['N', outDim])),
  );
  // ir_version 8, opset 17 of the default domain
  return cat(int(1, 8), field(8, cat(str(1, ''), int(2, 17))), field(7, graph));
}
