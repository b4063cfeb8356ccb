using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Tensors;

/// <summary>Files that do not add up are refused before anything is allocated, with the file and the fault named.</summary>
public sealed class SafeTensorsValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>An 8-byte length, the header as given, then <paramref name="dataBytes"/> bytes of data.</summary>
    private string WriteRaw(string header, int dataBytes, ulong? headerLength = null)
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, headerLength ?? (ulong)json.Length);
        stream.Write(len);
        stream.Write(json);
        stream.Write(new byte[dataBytes]);
        return path;
    }

    private const string One = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775806,-9223372036854775806]}}", 4, "data_offsets entry -9223372036854775806")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775806,9223372036854775807]}}", 4, "needs 4 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "end before they begin")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}", 4, "more elements than a 64-bit byte count")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", 4, "needs 17179869184 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape entry 0 is -1")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "shape entry 0 is 1.5")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "past the end of the data section")]
    [InlineData("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'Q4'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "no \"data_offsets\"")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "no \"data_offsets\"")]
    [InlineData("{\"a\":[1,2]}", 4, "must be a JSON object")]
    [InlineData("{\"__metadata__\":[1,2]," + One + "}", 4, "__metadata__ must be a JSON object of string values, found a array")]
    [InlineData("{\"__metadata__\":{\"format\":7}," + One + "}", 4, "__metadata__ entry 'format' must be a string")]
    [InlineData("{" + One + "}", 8, "4 bytes follow the last tensor")]
    [InlineData("{}", 4, "lists no tensor but 4 data bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap of 4 bytes")]
    [InlineData("{" + One + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "overlaps")]
    [InlineData("{" + One + "," + One + "}", 4, "names 'a' twice")]
    [InlineData("[1]", 0, "does not start with '{'")]
    [InlineData("{\"a\":", 0, "not valid JSON")]
    public void AFaultyHeaderIsRefusedNamingTheFileAndTheFault(string header, int dataBytes, string expected)
    {
        var path = WriteRaw(header, dataBytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Throws<InvalidDataException>(() => SafeTensorsHeader.Read(path));
    }

    [Theory]
    [InlineData(ulong.MaxValue, "exceeds the file")]
    [InlineData(200_000_000UL, "exceeds the file")]
    [InlineData(0UL, "too short")]
    public void AHeaderLengthThatDoesNotFitIsRefused(ulong length, string expected)
    {
        var path = WriteRaw("{" + One + "}", 4, length);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("F16", new ushort[] { 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000 }, new[] { 1f, -2f, 65504f, 5.9604645e-8f, -0f })]
    [InlineData("BF16", new ushort[] { 0x3F80, 0xBF00, 0x4049, 0x0001, 0x7F7F }, new[] { 1f, -0.5f, 3.140625f, 9.18355e-41f, 3.3895314e38f })]
    public void HalfPrecisionTensorsAreWidenedExactly(string dtype, ushort[] bits, float[] expected)
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var json = Encoding.UTF8.GetBytes($"{{\"a\":{{\"dtype\":\"{dtype}\",\"shape\":[{bits.Length}],\"data_offsets\":[0,{2 * bits.Length}]}}}}");
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((ulong)json.Length));
            stream.Write(json);
            foreach (var b in bits) stream.Write(BitConverter.GetBytes(b));
        }
        var values = SafeTensors.Load(path).Tensors["a"].Span.ToArray();
        Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), values.Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void ATensorOfAnotherDtypeTilesButIsNotLoaded()
    {
        var path = WriteRaw("{\"a\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        Assert.Equal(2, SafeTensorsHeader.Read(path).TotalElements);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("dtype I16; only F32, F16 and BF16 are supported", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteWeightsAreRefusedUnlessAllowed(float bad)
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var values = Enumerable.Range(0, 37).Select(i => (float)i).ToArray();
        values[29] = bad;
        SafeTensors.Save(path, [("fine", Tensor.FromArray([1f, 2f], 2)), ("blocks.0.w", Tensor.FromArray(values, 37))]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'blocks.0.w'", e.Message);
        Assert.Contains("index 29", e.Message);
        var (tensors, _) = SafeTensors.Load(path, allowNonFinite: true);
        Assert.Equal(bad, tensors["blocks.0.w"].Span[29]);
    }

    [Fact]
    public void FirstNonFiniteFindsEveryPositionAtEveryLength()
    {
        foreach (int n in new[] { 1, 3, 17, 65, 257 })
        {
            var values = new float[n];
            Assert.Equal(-1, SafeTensors.FirstNonFinite(values));
            values[n - 1] = float.MaxValue;
            Assert.Equal(-1, SafeTensors.FirstNonFinite(values));
            for (int i = 0; i < n; i++)
            {
                var copy = (float[])values.Clone();
                copy[i] = float.NaN;
                if (i + 1 < n) copy[n - 1] = float.PositiveInfinity;
                Assert.Equal(i, SafeTensors.FirstNonFinite(copy));
            }
        }
    }

    [Fact]
    public void SaveRefusesNamesTheFormatCannotHold()
    {
        var path = Path.Combine(_dir, "dup.safetensors");
        var t = new Tensor(1);
        Assert.Contains("used twice", Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [("a", t), ("a", t)])).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [("__metadata__", t)])).Message);
    }

    [Fact]
    public void SavedFilesStillRoundTripAndTileExactly()
    {
        var path = Path.Combine(_dir, "ok.safetensors");
        SafeTensors.Save(path, [("x", Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3)), ("empty", new Tensor(0, 4)), ("s", Tensor.FromArray([7f], 1))],
            new Dictionary<string, string> { ["format"] = "test" });
        var header = SafeTensorsHeader.Read(path);
        Assert.Equal(7, header.TotalElements);
        Assert.Equal(header.FileLength, header.DataStart + header.Entries.Sum(e => e.Bytes));
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.Equal("test", metadata["format"]);
        Assert.Equal([2, 3], tensors["x"].Shape);
        Assert.Equal([0, 4], tensors["empty"].Shape);
        Assert.Equal(7f, SafeTensors.LoadTensor(path, "s").Span[0]);
    }

    /// <summary>
    /// A sparse file of 2.5 GiB whose last tensor lies past 2³¹ bytes: the header is validated with 64-bit offsets and
    /// that tensor is read from its place (the file takes a few kilobytes of disk; nothing of 2 GiB is allocated).
    /// </summary>
    [Fact]
    public void FilesOverTwoGibibytesAreReadWithLongOffsets()
    {
        long bigBytes = 5L << 29; // 2.5 GiB
        var header = $"{{\"big\":{{\"dtype\":\"F32\",\"shape\":[{bigBytes / 4}],\"data_offsets\":[0,{bigBytes}]}}," +
                     $"\"tail\":{{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[{bigBytes},{bigBytes + 16}]}}}}";
        var path = WriteRaw(header, 0);
        float[] tail = [1.5f, -2f, 3.25f, 4f];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            long dataStart = stream.Length;
            stream.SetLength(dataStart + bigBytes + 16);
            stream.Position = dataStart + bigBytes;
            stream.Write(MemoryMarshal.AsBytes(tail.AsSpan()));
        }
        var read = SafeTensorsHeader.Read(path);
        Assert.True(read.FileLength > (1L << 31));
        Assert.Equal(bigBytes, read.Find("tail")!.Begin);
        Assert.Equal(tail, SafeTensors.LoadTensor(path, "tail").Span.ToArray());
    }

    /// <summary>
    /// The whole 2.5 GiB file through <see cref="SafeTensors.Load"/>: a tensor over 1 GiB read in chunks, one past 2³¹.
    /// Allocates 2.5 GiB, so it runs only with SHARPFORMER_LARGE_TESTS=1.
    /// </summary>
    [Fact]
    public void FilesOverTwoGibibytesLoadWhole()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("SHARPFORMER_LARGE_TESTS") == "1", "allocates 2.5 GiB; set SHARPFORMER_LARGE_TESTS=1 to run it");
        long bigBytes = 5L << 29;
        var header = $"{{\"big\":{{\"dtype\":\"F32\",\"shape\":[{bigBytes / 4}],\"data_offsets\":[0,{bigBytes}]}}," +
                     $"\"tail\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[{bigBytes},{bigBytes + 8}]}}}}";
        var path = WriteRaw(header, 0);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            long dataStart = stream.Length;
            stream.SetLength(dataStart + bigBytes + 8);
            stream.Position = dataStart + bigBytes - 4;
            stream.Write(MemoryMarshal.AsBytes(new float[] { 9f, 1f, 2f }.AsSpan()));
        }
        var (tensors, _) = SafeTensors.Load(path);
        Assert.Equal(9f, tensors["big"].Span[^1]);
        Assert.Equal(0f, tensors["big"].Span[(1 << 28) + 5]);
        Assert.Equal([1f, 2f], tensors["tail"].Span.ToArray());
    }

    [Fact]
    public void AFileLargerThanTheMachineIsRefusedWithTheEstimate()
    {
        // A header describing more 4.3 GB tensors than this machine can hold, over a sparse data section: Load
        // refuses before allocating, stating the size.
        long each = (long)Array.MaxLength / 8 * 4 * 4; // bytes per tensor (about 4.3 GB), a multiple of 4
        int count = (int)(MemoryBudget.AvailableBytes / each + 2);
        var entries = Enumerable.Range(0, count).Select(i =>
            $"\"t{i}\":{{\"dtype\":\"F32\",\"shape\":[{each / 4}],\"data_offsets\":[{i * each},{(i + 1) * each}]}}");
        var path = WriteRaw("{" + string.Join(",", entries) + "}", 0);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write)) stream.SetLength(stream.Length + count * each);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("needs about", e.Message);
        Assert.Contains("this machine has", e.Message);
    }
}
