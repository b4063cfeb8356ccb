using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpformer.Tensors;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
/// dtype, shape and [begin, end) byte offsets into the data that follows, then the raw little-endian
/// data. Only F32 is written; reading checks every offset so a truncated or corrupt file is reported,
/// never half-loaded.
/// </summary>
public static class SafeTensors
{
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata != null) header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        long offset = 0;
        foreach (var (name, t) in list)
        {
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
            foreach (var (_, t) in list) stream.Write(MemoryMarshal.AsBytes(t.Span));
        });
    }

    /// <summary>Every tensor of the file by name, plus its metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: safetensors file not found.", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: truncated safetensors file ({bytes.Length} bytes, expected an 8-byte header length).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file ({bytes.Length} bytes); the file is truncated or not safetensors.");
        long dataStart = 8 + (long)headerLength;
        JsonObject header;
        try { header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new InvalidDataException($"{path}: empty header."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not valid JSON ({e.Message})."); }
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            try
            {
                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>();
                if (dtype != "F32") throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}; only F32 is supported.");
                int[] shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                int size = ShapeOf.Size(shape);
                if (end - begin != 4L * size || begin < 0 || dataStart + end > bytes.Length)
                    throw new InvalidDataException($"{path}: tensor '{name}' {ShapeOf.Format(shape)} has offsets [{begin}, {end}) that do not fit its shape or the file ({bytes.Length} bytes; truncated?).");
                var t = new Tensor(shape);
                MemoryMarshal.Cast<byte, float>(bytes.AsSpan((int)(dataStart + begin), 4 * size)).CopyTo(t.Span);
                tensors[name] = t;
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: header entry '{name}' is malformed ({e.Message}).");
            }
        }
        return (tensors, metadata);
    }
}
