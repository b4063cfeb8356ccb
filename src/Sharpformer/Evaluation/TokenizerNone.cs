namespace Sharpformer.Evaluation;

/// <summary>sacreBLEU's `none` tokenizer: the segment unchanged (BLEU then splits it on whitespace).</summary>
internal sealed class TokenizerNone : BleuTokenizer
{
    public override string Name => "none";

    public override string Tokenize(string line) => line;
}
