using Sharpformer.Interop.Onnx.Proto;

namespace Sharpformer.Interop.Onnx;

/// <summary>
/// Appends nodes, constants and graph inputs/outputs to an ONNX <see cref="GraphProto"/>, naming every
/// intermediate value uniquely. Weights go through <see cref="OnnxInitializers"/>, which decides where their
/// bytes live.
/// </summary>
internal sealed class OnnxGraphBuilder(OnnxInitializers initializers)
{
    private readonly Dictionary<string, int> _counts = [];
    private readonly Dictionary<string, string> _constants = [];   // "stem=values" -> name: each constant stored once

    public GraphProto Graph { get; } = new() { Name = "sharpformer_gpt" };
    public OnnxInitializers Initializers => initializers;

    /// <summary>A fresh value name: <paramref name="stem"/>, or stem_N when taken.</summary>
    public string Fresh(string stem)
    {
        int n = _counts.GetValueOrDefault(stem);
        _counts[stem] = n + 1;
        return n == 0 ? stem : $"{stem}_{n}";
    }

    /// <summary>Adds one node with one output, named after <paramref name="output"/> (made unique); returns that name.</summary>
    public string Node(string op, string output, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node(op, [output], inputs, attributes)[0];

    /// <summary>Adds one node with several outputs (named uniquely from the stems given); returns their names.</summary>
    public string[] Node(string op, string[] outputs, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var names = outputs.Select(Fresh).ToArray();
        var node = new NodeProto { OpType = op, Name = Fresh($"{op}_node") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return names;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, split sizes), stored as a small initializer.</summary>
    public string Int64s(string stem, params long[] values) =>
        Constant($"{stem}=[{string.Join(",", values)}]", () =>
        {
            var t = new TensorProto { Name = Fresh(stem), DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.AddRange(values);
            return t;
        });

    /// <summary>An int64 scalar constant (rank 0: Range's bounds, Gather's index).</summary>
    public string Int64Scalar(string stem, long value) =>
        Constant($"{stem}={value}", () =>
        {
            var t = new TensorProto { Name = Fresh(stem), DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Int64Data.Add(value);
            return t;
        });

    /// <summary>A float scalar constant (rank 0), stored as a small initializer.</summary>
    public string Scalar(string stem, float value) =>
        Constant($"{stem}={value:R}f", () =>
        {
            var t = new TensorProto { Name = Fresh(stem), DataType = (int)TensorProto.Types.DataType.Float };
            t.FloatData.Add(value);
            return t;
        });

    private string Constant(string key, Func<TensorProto> make)
    {
        if (_constants.TryGetValue(key, out var name)) return name;
        var t = make();
        Graph.Initializer.Add(t);
        _constants[key] = t.Name;
        return t.Name;
    }

    /// <summary>A float weight (row-major <paramref name="data"/> of shape <paramref name="dims"/>) under its own name.</summary>
    public string Weight(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        var t = initializers.Float(Fresh(name), data, dims);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Declares a graph input; a dimension is a number or the name of a dynamic axis.</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Graph.Input.Add(Value(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output: the value <paramref name="value"/> is renamed to <paramref name="name"/> with an Identity.</summary>
    public void Output(string name, string value, TensorProto.Types.DataType type, params object[] dims)
    {
        var node = new NodeProto { OpType = "Identity", Name = Fresh("Identity_node") };
        node.Input.Add(value);
        node.Output.Add(name);
        Graph.Node.Add(node);
        Graph.Output.Add(Value(name, type, dims));
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d switch
            {
                string axis => new TensorShapeProto.Types.Dimension { DimParam = axis },
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                long n => new TensorShapeProto.Types.Dimension { DimValue = n },
                _ => throw new ArgumentException($"ONNX dimension {d} must be a number or an axis name.", nameof(dims)),
            });
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
