using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Sharpformer.Tensors;

/// <summary>One tensor of a safetensors header: its dtype, shape and [Begin, End) byte range in the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, string Dtype, int[] Shape, long Elements, long Begin, long End)
{
    public long Bytes => End - Begin;
}

/// <summary>
/// The validated header of a safetensors file, read without touching the data: every shape is non-negative with a
/// product that fits, every dtype is known, every byte range matches its shape, and the ranges tile the data
/// section exactly (no gap, no overlap, nothing after the last tensor), as the format requires.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>Largest header accepted (the limit of the reference implementation): a larger one is not a header.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Bytes per element of each dtype the format defines.</summary>
    public static IReadOnlyDictionary<string, int> DtypeSizes { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["U16"] = 2, ["I16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["U32"] = 4, ["I32"] = 4, ["F32"] = 4,
        ["U64"] = 8, ["I64"] = 8, ["F64"] = 8,
    };

    public string Path { get; }
    public long FileLength { get; }

    /// <summary>Offset of the data section in the file: 8 + the header length.</summary>
    public long DataStart { get; }

    /// <summary>The tensors in file order (by begin offset).</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Sum of the element counts of all tensors.</summary>
    public long TotalElements => Entries.Sum(e => e.Elements);

    private SafeTensorsHeader(string path, long fileLength, long dataStart, List<SafeTensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        FileLength = fileLength;
        DataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public SafeTensorsEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);

    /// <summary>Reads and validates the header of <paramref name="path"/>.</summary>
    public static SafeTensorsHeader Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: safetensors file not found.", path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        return Read(path, handle);
    }

    internal static SafeTensorsHeader Read(string path, SafeFileHandle handle)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8) throw Bad(path, $"truncated safetensors file ({fileLength} bytes, expected an 8-byte header length)");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(path, handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw Bad(path, $"header length {headerLength} exceeds the file ({fileLength} bytes); the file is truncated or not safetensors");
        if (headerLength > MaxHeaderBytes)
            throw Bad(path, $"header length {headerLength} is over the {MaxHeaderBytes:N0}-byte limit of the format");
        if (headerLength < 2) throw Bad(path, $"header length {headerLength} is too short for a JSON object");
        var json = new byte[(int)headerLength];
        ReadExactly(path, handle, json, 8);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = Parse(path, json, fileLength - dataStart);
        return new SafeTensorsHeader(path, fileLength, dataStart, entries, metadata);
    }

    private static (List<SafeTensorsEntry>, Dictionary<string, string>) Parse(string path, byte[] json, long dataLength)
    {
        if (json[0] != (byte)'{') throw Bad(path, "the header does not start with '{' (not safetensors?)");
        // The format's header is UTF-8 JSON; the parser would only notice bad bytes inside a string when it is read.
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Bad(path, "the header is not valid UTF-8");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw Bad(path, $"header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "the header is not a JSON object");
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Bad(path, $"the header names '{property.Name}' twice");
                if (property.Name == "__metadata__") ReadMetadata(path, property.Value, metadata);
                else entries.Add(ReadEntry(path, property.Name, property.Value, dataLength));
            }
            CheckTiling(path, entries, dataLength);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement node, Dictionary<string, string> metadata)
    {
        if (node.ValueKind != JsonValueKind.Object)
            throw Bad(path, $"__metadata__ must be a JSON object of string values, found a {Kind(node)}");
        foreach (var item in node.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Bad(path, $"__metadata__ entry '{item.Name}' must be a string, found a {Kind(item.Value)}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorsEntry ReadEntry(string path, string name, JsonElement node, long dataLength)
    {
        string where = $"tensor '{name}'";
        if (node.ValueKind != JsonValueKind.Object) throw Bad(path, $"{where} must be a JSON object with dtype, shape and data_offsets, found a {Kind(node)}");
        if (!node.TryGetProperty("dtype", out var dtypeNode) || dtypeNode.ValueKind != JsonValueKind.String)
            throw Bad(path, $"{where} has no string \"dtype\"");
        string dtype = dtypeNode.GetString()!;
        if (!DtypeSizes.TryGetValue(dtype, out int elementSize))
            throw Bad(path, $"{where} has the unknown dtype '{dtype}' (expected one of {string.Join(", ", DtypeSizes.Keys)})");

        if (!node.TryGetProperty("shape", out var shapeNode) || shapeNode.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"{where} has no \"shape\" array");
        var shape = new int[shapeNode.GetArrayLength()];
        long elements = 1;
        int d = 0;
        foreach (var dim in shapeNode.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out shape[d]) || shape[d] < 0)
                throw Bad(path, $"{where}: shape entry {d} is {dim.GetRawText()}, expected an integer in [0, {int.MaxValue}]");
            elements = MultiplyOrThrow(path, where, elements, shape[d], shapeNode);
            d++;
        }
        long bytes = MultiplyOrThrow(path, where, elements, elementSize, shapeNode);

        if (!node.TryGetProperty("data_offsets", out var offsetsNode) || offsetsNode.ValueKind != JsonValueKind.Array || offsetsNode.GetArrayLength() != 2)
            throw Bad(path, $"{where} has no \"data_offsets\" array of two integers");
        long begin = Offset(path, where, offsetsNode[0]), end = Offset(path, where, offsetsNode[1]);
        string shapeText = "[" + string.Join(", ", shape) + "]";
        if (end < begin) throw Bad(path, $"{where} has data_offsets [{begin}, {end}) that end before they begin");
        if (end - begin != bytes)
            throw Bad(path, $"{where} {dtype} {shapeText} needs {bytes} bytes but its data_offsets [{begin}, {end}) hold {end - begin}");
        if (end > dataLength)
            throw Bad(path, $"{where} has data_offsets [{begin}, {end}) past the end of the data section ({dataLength} bytes; truncated?)");
        return new SafeTensorsEntry(name, dtype, shape, elements, begin, end);
    }

    private static long MultiplyOrThrow(string path, string where, long a, long b, JsonElement shapeNode)
    {
        try { return checked(a * b); }
        catch (OverflowException) { throw Bad(path, $"{where}: shape {shapeNode.GetRawText()} has more elements than a 64-bit byte count can hold"); }
    }

    private static long Offset(string path, string where, JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Number || !node.TryGetInt64(out long value) || value < 0)
            throw Bad(path, $"{where}: data_offsets entry {node.GetRawText()} is not a non-negative 64-bit integer");
        return value;
    }

    /// <summary>Sorted by offset, each tensor must begin where the previous ended, the first at 0, the last at the end.</summary>
    private static void CheckTiling(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string previous = "the start of the data section";
        foreach (var e in entries)
        {
            if (e.Begin > expected)
                throw Bad(path, $"{e.Bytes}-byte tensor '{e.Name}' begins at {e.Begin}, leaving a gap of {e.Begin - expected} bytes after {previous}; tensors must tile the data section");
            if (e.Begin < expected)
                throw Bad(path, $"tensor '{e.Name}' [{e.Begin}, {e.End}) overlaps {previous}, which ends at {expected}; tensors must tile the data section");
            expected = e.End;
            previous = $"tensor '{e.Name}'";
        }
        if (entries.Count == 0 && dataLength > 0)
            throw Bad(path, $"the header lists no tensor but {dataLength} data bytes follow it; tensors must tile the data section");
        if (expected != dataLength)
            throw Bad(path, $"{dataLength - expected} bytes follow the last tensor ({previous} ends at {expected} of {dataLength} data bytes); tensors must tile the data section");
    }

    internal static void ReadExactly(string path, SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw Bad(path, $"the file ended at byte {offset} while reading (truncated, or changed while being read)");
            buffer = buffer[n..];
            offset += n;
        }
    }

    private static string Kind(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    internal static InvalidDataException Bad(string path, string what) => new($"{path}: {what}.");

    public override string ToString() => $"{Path}: {Entries.Count} tensors, {TotalElements} elements, data at byte {DataStart}";
}
