using System.Runtime.InteropServices;
using Google.Protobuf;
using Sharpformer.Interop.Onnx.Proto;

namespace Sharpformer.Interop.Onnx;

/// <summary>
/// Where the weights' bytes go: inside the model file (raw_data), or — for a model whose protobuf would pass
/// protobuf's 2 GiB limit — appended to an external data file beside it, each tensor starting at a multiple of
/// <see cref="Alignment"/> so that a runtime can map it, and the tensor recording location, offset and length.
/// Little-endian fp32, as ONNX stores raw data.
/// </summary>
internal sealed class OnnxInitializers
{
    /// <summary>Offsets in the external file are multiples of this (a page).</summary>
    public const int Alignment = 4096;

    private readonly Stream? _external;
    private readonly string? _location;

    private OnnxInitializers(Stream? external, string? location) => (_external, _location) = (external, location);

    /// <summary>Weights inside the model file.</summary>
    public static OnnxInitializers Inline() => new(null, null);

    /// <summary>Weights appended to <paramref name="data"/>, the file named <paramref name="location"/> next to the model.</summary>
    public static OnnxInitializers External(Stream data, string location) => new(data, location);

    public bool IsExternal => _external != null;

    public TensorProto Float(string name, ReadOnlySpan<float> data, long[] dims)
    {
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length)
            throw new ArgumentException($"ONNX initializer '{name}': {data.Length} values for shape [{string.Join(", ", dims)}].", nameof(data));
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = MemoryMarshal.AsBytes(data);
        if (_external == null)
        {
            t.RawData = ByteString.CopyFrom(bytes);
            return t;
        }
        long padding = (Alignment - _external.Position % Alignment) % Alignment;
        for (long i = 0; i < padding; i++) _external.WriteByte(0);
        long offset = _external.Position;
        _external.Write(bytes);
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = _location });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return t;
    }
}
