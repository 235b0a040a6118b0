/**
 * A small helper to write ONNX graphs from code with onnx-proto: named values, typed constants,
 * and one call per operator. The built-in model (encoder and decoder) is written with it, and so
 * are the test graphs of the sam2 adapter and the benchmark graph with SAM ViT-B decoder shapes.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };
/** A dimension: a fixed size or the name of a dynamic one. */
export type Dim = number | string;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: A.INT, i: value };
  if (Array.isArray(value)) return { name, type: A.INTS, ints: value };
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  return { name, type: A.FLOATS, floats: value.floats };
}

function valueInfo(name: string, shape: Dim[], elemType = FLOAT): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  /** Declares `value` as a graph output named `name` (through an Identity when the names differ). */
  output(value: string, name: string, shape: Dim[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` });
    this.outputs.push(valueInfo(name, shape));
  }

  /** A float32 constant (an initializer). */
  f32(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    const name = `c${this.counter++}`;
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: toBytes(Float32Array.from(values)) });
    return name;
  }

  /** An int64 constant (shapes, axes, slice bounds). */
  i64(values: number[], dims: number[] = [values.length]): string {
    const name = `c${this.counter++}`;
    this.initializers.push({
      name,
      dims,
      dataType: INT64,
      rawData: toBytes(BigInt64Array.from(values.map((v) => BigInt(v)))),
    });
    return name;
  }

  /** Adds one operator and returns the name of its (first) output. */
  op(type: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs = 1): string {
    const id = this.counter++;
    const out = Array.from({ length: outputs }, (_, i) => `${type.toLowerCase()}${id}${i ? `_${i}` : ''}`);
    this.nodes.push({
      opType: type,
      name: `${type}_${id}`,
      input: inputs,
      output: out,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return out[0] as string;
  }

  /** The serialized ModelProto (opset 17, IR version 8). */
  toBytes(docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'labelkit',
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toBytes(view: Float32Array | BigInt64Array): Uint8Array {
  // ONNX raw data is little-endian, as every platform we run on is.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
