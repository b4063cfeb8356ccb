using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Sharpformer.Tensors;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
/// dtype, shape and [begin, end) byte offsets into the data that follows, then the raw little-endian
/// data. F32 is written; F32, F16 and BF16 are read (half-precision values widened to F32, exactly, as checkpoints on
/// the Hugging Face hub often hold them). Reading validates the whole header first (<see cref="SafeTensorsHeader"/>:
/// shapes, offsets with checked 64-bit arithmetic, tensors tiling the data exactly) so a truncated or corrupt file
/// is reported, never half-loaded, and nothing is allocated for a file that does not add up.
/// </summary>
internal static class SafeTensors
{
    private const int ChunkFloats = 1 << 28; // 1 GiB: a span of bytes is int-indexed

    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata != null) header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        long offset = 0;
        foreach (var (name, t) in list)
        {
            if (name == "__metadata__" || header.ContainsKey(name))
                throw new ArgumentException($"{path}: tensor name '{name}' is {(name == "__metadata__" ? "reserved for metadata" : "used twice")}.", nameof(tensors));
            long bytes = 4L * t.Size;
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, t) in list)
                for (int at = 0; at < t.Size; at += ChunkFloats)
                    stream.Write(MemoryMarshal.AsBytes(t.Span.Slice(at, Math.Min(ChunkFloats, t.Size - at))));
        });
    }

    /// <summary>
    /// Every tensor of the file by name, plus its metadata. The header is validated in full (see
    /// <see cref="SafeTensorsHeader"/>) and the total size checked against the machine's memory before anything is
    /// allocated; a NaN or infinite weight is an error naming the tensor unless <paramref name="allowNonFinite"/>.
    /// Files of any size are read (offsets are 64-bit); each tensor must fit one array.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path, bool allowNonFinite = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: safetensors file not found.", path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var header = SafeTensorsHeader.Read(path, handle);
        foreach (var entry in header.Entries) RequireLoadable(header, entry);
        MemoryBudget.Require(header.Entries.Sum(e => 4L * e.Elements), path, $"{header.Entries.Count} tensors of {header.TotalElements:N0} values in all, as F32");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.Entries) tensors[entry.Name] = ReadTensor(header, handle, entry, allowNonFinite);
        return (tensors, new Dictionary<string, string>(header.Metadata));
    }

    /// <summary>One tensor of the file, read from its offset (the header is validated in full first).</summary>
    public static Tensor LoadTensor(string path, string name, bool allowNonFinite = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: safetensors file not found.", path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        var header = SafeTensorsHeader.Read(path, handle);
        var entry = header.Find(name) ?? throw new ArgumentException($"{path}: no tensor named '{name}'.", nameof(name));
        RequireLoadable(header, entry);
        return ReadTensor(header, handle, entry, allowNonFinite);
    }

    private static void RequireLoadable(SafeTensorsHeader header, SafeTensorsEntry entry)
    {
        if (entry.Dtype is not ("F32" or "F16" or "BF16"))
            throw new InvalidDataException($"{header.Path}: tensor '{entry.Name}' has dtype {entry.Dtype}; only F32, F16 and BF16 are supported.");
        if (entry.Elements > Array.MaxLength)
            throw new InvalidDataException($"{header.Path}: tensor '{entry.Name}' {ShapeOf.Format(entry.Shape)} has {entry.Elements:N0} values, more than one array holds ({Array.MaxLength:N0}).");
    }

    /// <summary>Reads the tensor in chunks of at most 1 GiB (a span of bytes is int-indexed).</summary>
    private static Tensor ReadTensor(SafeTensorsHeader header, Microsoft.Win32.SafeHandles.SafeFileHandle handle, SafeTensorsEntry entry, bool allowNonFinite)
    {
        var t = new Tensor(entry.Shape);
        long offset = header.DataStart + entry.Begin;
        if (entry.Dtype == "F32")
            for (int at = 0; at < t.Size; at += ChunkFloats)
            {
                var floats = t.Span.Slice(at, Math.Min(ChunkFloats, t.Size - at));
                SafeTensorsHeader.ReadExactly(header.Path, handle, MemoryMarshal.AsBytes(floats), offset);
                offset += 4L * floats.Length;
            }
        else ReadHalves(header.Path, handle, offset, entry.Dtype == "BF16", t.Span);
        if (!allowNonFinite && FirstNonFinite(t.Span) is int bad and >= 0)
            throw new InvalidDataException($"{header.Path}: tensor '{entry.Name}' {ShapeOf.Format(entry.Shape)} holds {t.Span[bad]} at flat index {bad}; " +
                "weights must be finite (a diverged run or a corrupt file; load with allowNonFinite to inspect it anyway).");
        return t;
    }

    /// <summary>Reads 16-bit values from <paramref name="offset"/> into <paramref name="destination"/>, widened to F32 (exact for both).</summary>
    private static void ReadHalves(string path, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, bool bfloat16, Span<float> destination)
    {
        var chunk = new ushort[Math.Min(destination.Length, 1 << 20)];
        for (int at = 0; at < destination.Length; at += chunk.Length)
        {
            var bits = chunk.AsSpan(0, Math.Min(chunk.Length, destination.Length - at));
            SafeTensorsHeader.ReadExactly(path, handle, MemoryMarshal.AsBytes(bits), offset);
            offset += 2L * bits.Length;
            var target = destination.Slice(at, bits.Length);
            if (bfloat16)
                for (int i = 0; i < bits.Length; i++) target[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16); // BF16 is F32's top half
            else System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<ushort, Half>(bits), target);
        }
    }

    /// <summary>Index of the first NaN or ±∞ in <paramref name="values"/>, or -1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        // A float is NaN or infinite exactly when all exponent bits are set.
        const uint exponent = 0x7F80_0000;
        var bits = MemoryMarshal.Cast<float, uint>(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<uint>.Count)
        {
            var mask = new Vector<uint>(exponent);
            for (; i <= bits.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                if (Vector.EqualsAny(new Vector<uint>(bits[i..]) & mask, mask)) break;
        }
        for (; i < bits.Length; i++)
            if ((bits[i] & exponent) == exponent) return i;
        return -1;
    }
}
