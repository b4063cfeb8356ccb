namespace Sharpformer.Tokenization;

/// <summary>Trains a byte-level BPE vocabulary on in-memory texts (for example both sides of a parallel corpus).</summary>
internal static class VocabularyTraining
{
    public static BpeTokenizer TrainBpe(IEnumerable<string> texts, int vocabSize, IProgress<BpeTrainingProgress>? progress = null)
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(vocabSize)) { Progress = progress };
        foreach (var text in texts)
        {
            trainer.AddText(text);
            trainer.AddText("\n");
        }
        return trainer.Train();
    }
}
