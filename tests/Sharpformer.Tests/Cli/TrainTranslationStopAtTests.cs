using System.Text.Json;
using Sharpformer.Cli;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// `train-translation --stop-at N`: the run ends after step N with a resumable checkpoint and the whole run's schedule,
/// so stopping at half the steps and resuming gives the weights and the losses of the run trained straight through.
/// </summary>
public sealed class TrainTranslationStopAtTests : IDisposable
{
    private const int Steps = 8, Half = Steps / 2;
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-mt-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Pairs =
    [
        "a cat\tкот", "a dog\tпёс", "the cat\tэтот кот", "the dog\tэтот пёс",
        "big cat\tбольшой кот", "big dog\tбольшой пёс", "small cat\tмалый кот", "small dog\tмалый пёс",
    ];

    private string[] Args(string outDir, params string[] more)
    {
        string[] args = ["train-translation", "--train", Path.Combine(_dir, "train.tsv"), "--valid", Path.Combine(_dir, "valid.tsv"),
            "--out", outDir, "--threads", "1", "--json", "--quiet"];
        return [.. args, .. more];
    }

    private static string[] Fresh(params string[] more) =>
        ["--config", "tiny", "--width", "16", "--vocab-size", "300", "--steps", $"{Steps}", "--eval-interval", "3", "--time-limit", "0", "--seed", "3", .. more];

    private static JsonElement Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(CliApp.Run(args, output, error) == 0, error.ToString());
        return JsonDocument.Parse(output.ToString()).RootElement.Clone();
    }

    private static float[] Weights(string checkpoint) =>
        TranslatorCheckpoint.Load(checkpoint).Model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    /// <summary>Each evaluation of log.jsonl without its clock readings: step, losses, BLEU, learning rate.</summary>
    private static List<string> Evaluations(string outDir) =>
        File.ReadLines(Path.Combine(outDir, "log.jsonl")).Select(line =>
        {
            var e = JsonDocument.Parse(line).RootElement;
            return string.Join(" ", new[] { "step", "val_loss", "bleu", "lr" }.Select(name => e.GetProperty(name).GetRawText()));
        }).ToList();

    [Fact]
    public void StoppingHalfwayAndResumingEqualsTrainingStraightThrough()
    {
        File.WriteAllLines(Path.Combine(_dir, "train.tsv"), Pairs);
        File.WriteAllLines(Path.Combine(_dir, "valid.tsv"), Pairs[..4]);
        var straight = Path.Combine(_dir, "straight");
        var stopped = Path.Combine(_dir, "stopped");

        var whole = Run(Args(straight, Fresh()));
        Assert.Equal("steps", whole.GetProperty("stopped_by").GetString());
        Assert.Equal(Steps, whole.GetProperty("steps").GetInt32());

        var first = Run(Args(stopped, Fresh("--stop-at", $"{Half}")));
        Assert.Equal("requested", first.GetProperty("stopped_by").GetString());
        Assert.Equal(Half, first.GetProperty("steps").GetInt32());
        Assert.Equal(Half, CheckpointStates.ReadTranslation(Path.Combine(stopped, "last")).State.Step);
        var rest = Run(Args(stopped, "--resume"));
        Assert.Equal("steps", rest.GetProperty("stopped_by").GetString());
        Assert.Equal(Steps - Half, rest.GetProperty("steps_trained").GetInt32());

        Assert.Equal(Weights(Path.Combine(straight, "last")), Weights(Path.Combine(stopped, "last")));
        // The stopped run evaluates once more, at its stop; every other evaluation (step 3, 6 and the end) is the straight run's.
        var evaluations = Evaluations(stopped);
        Assert.StartsWith($"{Half} ", evaluations[1]);
        evaluations.RemoveAt(1);
        Assert.Equal(Evaluations(straight), evaluations);
    }
}
