using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Sharpformer.Interop.Onnx;

namespace Sharpformer.Tests.Interop.Onnx;

/// <summary>
/// Runs an exported decoder with ONNX Runtime the way ONNX Runtime GenAI does: a prompt with an empty past, then
/// one token at a time with the previous step's present.N.key/value fed back as past_key_values.N.key/value.
/// </summary>
internal sealed class OnnxDecoderRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _layers, _heads, _headSize;
    private float[][] _past;            // per layer: key, value, key, value … each (B, nh, past, hs)
    private int _batch;

    public OnnxDecoderRunner(string modelPath, int layers, int heads, int headSize)
    {
        _session = new InferenceSession(modelPath);
        (_layers, _heads, _headSize) = (layers, heads, headSize);
        _past = [];
    }

    public int PastLength { get; private set; }

    public IReadOnlyList<string> InputNames => _session.InputMetadata.Keys.ToList();
    public IReadOnlyList<string> OutputNames => _session.OutputMetadata.Keys.ToList();

    /// <summary>Forgets the past: the next call is a prompt of <paramref name="batch"/> rows.</summary>
    public void Reset(int batch)
    {
        _batch = batch;
        PastLength = 0;
        _past = Enumerable.Range(0, 2 * _layers).Select(_ => Array.Empty<float>()).ToArray();
    }

    /// <summary>
    /// ids and positions (B, T); mask (B, past + T). Returns logits (B, T, V) row-major and keeps the presents
    /// as the next step's past.
    /// </summary>
    public float[] Step(long[] ids, long[] positions, long[] mask, int time)
    {
        var total = PastLength + time;
        var names = new List<string> { OnnxDecoderNames.InputIds, OnnxDecoderNames.AttentionMask, OnnxDecoderNames.PositionIds };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [_batch, time]),
            OrtValue.CreateTensorValueFromMemory(mask, [_batch, total]),
            OrtValue.CreateTensorValueFromMemory(positions, [_batch, time]),
        };
        long[] pastShape = [_batch, _heads, PastLength, _headSize];
        for (int l = 0; l < _layers; l++)
        {
            names.Add(OnnxDecoderNames.PastKey(l));
            values.Add(Tensor(_past[2 * l], pastShape));
            names.Add(OnnxDecoderNames.PastValue(l));
            values.Add(Tensor(_past[2 * l + 1], pastShape));
        }
        var outputNames = new List<string> { OnnxDecoderNames.Logits };
        for (int l = 0; l < _layers; l++) { outputNames.Add(OnnxDecoderNames.PresentKey(l)); outputNames.Add(OnnxDecoderNames.PresentValue(l)); }
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, values, outputNames);
            var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            for (int i = 0; i < 2 * _layers; i++)
            {
                var shape = outputs[i + 1].GetTensorTypeAndShape().Shape;
                Assert.Equal([_batch, _heads, total, _headSize], shape);
                _past[i] = outputs[i + 1].GetTensorDataAsSpan<float>().ToArray();
            }
            PastLength = total;
            return logits;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    // An empty past (past_sequence_length 0) has no memory to wrap: ONNX Runtime allocates it.
    private static OrtValue Tensor(float[] data, long[] shape) => data.Length == 0
        ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape)
        : OrtValue.CreateTensorValueFromMemory(data, shape);

    public void Dispose() => _session.Dispose();
}
