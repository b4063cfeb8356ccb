using Sharpformer.Tokenization;

namespace Sharpformer.Generation;

/// <summary>
/// Decodes generated ids into text as it grows and streams it out, holding back just enough characters
/// to never emit the start of a stop string; stops at the first stop string (which is not emitted).
/// </summary>
internal sealed class StopStringStream(ITokenizer tokenizer, IReadOnlyList<string> stops, Action<string>? onText)
{
    private readonly List<int> _ids = [];
    private readonly int _holdBack = stops.Count == 0 ? 0 : stops.Max(s => s.Length) - 1;
    private string _text = "";
    private int _emitted;

    /// <summary>Adds a token; returns true when a stop string has appeared.</summary>
    public bool Add(int id)
    {
        _ids.Add(id);
        _text = tokenizer.Decode(_ids.ToArray());
        int stopAt = FirstStop();
        if (stopAt >= 0)
        {
            _text = _text[..stopAt];
            Emit(_text.Length);
            return true;
        }
        // A trailing U+FFFD may be an incomplete multi-byte character: wait for the rest of it.
        int safe = _text.Length - _holdBack - (_text.EndsWith('\uFFFD') ? 1 : 0);
        Emit(safe);
        return false;
    }

    public string Finish()
    {
        Emit(_text.Length);
        return _text;
    }

    private int FirstStop()
    {
        int first = -1;
        foreach (var s in stops)
        {
            int i = _text.IndexOf(s, Math.Max(0, _emitted - s.Length), StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        return first;
    }

    private void Emit(int upTo)
    {
        if (upTo <= _emitted) return;
        onText?.Invoke(_text[_emitted..upTo]);
        _emitted = upTo;
    }
}
