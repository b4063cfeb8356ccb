using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

/// <summary>
/// The training options read from JSON that names only some fields (a --config file, an older checkpoint) keep the
/// defaults of the others — source-generated JSON alone would give a missing init-only field default(T) — and
/// every options record survives a round trip.
/// </summary>
public sealed class TrainingOptionsJsonTests
{
    [Fact]
    public void GptOptionsMissingFieldsKeepTheirDefaults()
    {
        var read = GptTrainingOptions.FromJson("""{"max_iters": 7, "n_layer": 3}""");
        Assert.Equal(new GptTrainingOptions { Steps = 7 }, read);
        Assert.Equal(1, read.GradAccumulation);
    }

    [Fact]
    public void TranslationOptionsMissingFieldsKeepTheirDefaults() =>
        Assert.Equal(new TranslationTrainingOptions { EvalBeam = 3 }, TranslationTrainingOptions.FromJson("""{"eval_beam": 3}"""));

    [Fact]
    public void ClassificationOptionsMissingFieldsKeepTheirDefaults() =>
        Assert.Equal(new ClassificationTrainingOptions(), ClassificationTrainingOptions.FromJson("{}"));

    [Fact]
    public void EveryOptionsRecordSurvivesARoundTrip()
    {
        var gpt = new GptTrainingOptions { Steps = 11, Batch = 3, MaxLr = 2e-3f, DecaySteps = 9, TimeLimitSeconds = 1.5, Seed = 99 };
        Assert.Equal(gpt, GptTrainingOptions.FromJson(gpt.ToJson()));
        var translation = new TranslationTrainingOptions { Steps = 5, BatchTokens = 64, LabelSmoothing = 0f, Schedule = "cosine", Seed = 4 };
        Assert.Equal(translation, TranslationTrainingOptions.FromJson(translation.ToJson()));
        var classification = new ClassificationTrainingOptions { Steps = 5, BatchSize = 4, Seed = 8 };
        Assert.Equal(classification, ClassificationTrainingOptions.FromJson(classification.ToJson()));
    }

    [Fact]
    public void AJsonValueThatIsNotAnObjectIsMalformed() =>
        Assert.Throws<System.Text.Json.JsonException>(() => GptTrainingOptions.FromJson("[1, 2]"));
}
