namespace Sharpformer;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>One of <see cref="GenerationSettings.StopSequences"/> appeared.</summary>
    StopSequence,

    /// <summary><see cref="GenerationSettings.MaxNewTokens"/> tokens were generated.</summary>
    MaxTokens,
}

/// <summary>
/// One generated token: its id, the text it made final (empty while a stop sequence or a multi-byte character may
/// be starting: that text comes with a later token), and, on the last token only, why generation ended.
/// </summary>
/// <param name="Id">The token id.</param>
/// <param name="Text">Text that is final with this token.</param>
/// <param name="Finish">Set on the last token of the generation.</param>
public sealed record GeneratedToken(int Id, string Text, FinishReason? Finish);
