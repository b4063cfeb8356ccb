using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

/// <summary>
/// Writes a GPT folder whose weights may hold NaN or ±∞, as a run diverged elsewhere or a damaged file leaves one:
/// <see cref="GptCheckpoint.Save"/> refuses such weights, so the folder is saved from a finite model of the same shape
/// and its weights file is then rewritten from <paramref name="model"/>.
/// </summary>
internal static class UncheckedWeights
{
    public static void SaveGpt(string dir, Gpt model, ITokenizer tokenizer)
    {
        GptCheckpoint.Save(dir, new Gpt(model.Config, seed: 0), tokenizer);
        SafeTensors.Save(Path.Combine(dir, GptCheckpoint.ModelFile), Gpt2Weights.Export(model),
            new Dictionary<string, string> { ["format"] = GptCheckpoint.WeightsFormat });
    }
}
