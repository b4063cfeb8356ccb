using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

public class Gpt2ParityTests
{
    [Theory]
    [InlineData("corpus.en")]
    [InlineData("german.txt")]
    [InlineData("tinystories_sample.txt")]
    public void IdsEqualTheReferenceFiles(string name)
    {
        var text = File.ReadAllText(TestData.Require("bpe-reference", name));
        var expected = File.ReadAllText(TestData.Require("bpe-reference", name + ".gpt2ids"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var ids = TokenizerFixtures.Gpt2.Encode(text);
        Assert.Equal(expected, ids);
        Assert.Equal(text, TokenizerFixtures.Gpt2.Decode(ids));
    }

    [Fact]
    public void EndOfTextIsOneSpecialId()
    {
        var gpt2 = TokenizerFixtures.Gpt2;
        Assert.Equal(50257, gpt2.VocabSize);
        Assert.Equal(50256, gpt2.SpecialTokens["<|endoftext|>"]);
        Assert.Equal([50256], gpt2.Encode("<|endoftext|>"));
        Assert.True(gpt2.Encode("<|endoftext|>", allowSpecialTokens: false).Length > 1);
        Assert.Equal(15496, gpt2.TokenToId("Hello"));
        Assert.Equal(995, gpt2.TokenToId(" world"));
        Assert.Equal(50256, gpt2.TokenToId("<|endoftext|>"));
        Assert.Null(gpt2.TokenToId("no such token in the vocabulary"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void IdsEqualMicrosoftMlTokenizersOnGeneratedEnglishAndRussian(int seed, bool russian)
    {
        var text = GenerateProse(new Random(seed), russian, 3000);
        var expected = TokenizerFixtures.Oracle.EncodeToIds(text).ToArray();
        Assert.Equal(expected, TokenizerFixtures.Gpt2.Encode(text));
    }

    [Fact]
    public void IdsEqualMicrosoftMlTokenizersOnRandomMixedText()
    {
        var random = new Random(17);
        for (int i = 0; i < 200; i++)
        {
            var text = TokenizerFixtures.RandomText(random, 1 + random.Next(200));
            Assert.Equal(TokenizerFixtures.Oracle.EncodeToIds(text).ToArray(), TokenizerFixtures.Gpt2.Encode(text));
        }
    }

    [Fact]
    public void TiktokenFileGivesTheSameIds()
    {
        var path = TokenizerFixtures.ExtractGpt2Tiktoken();
        try
        {
            var tiktoken = BpeTokenizer.Load(path);
            Assert.Equal(50257, tiktoken.VocabSize);
            Assert.Equal(50256, tiktoken.SpecialTokens["<|endoftext|>"]);
            var random = new Random(23);
            var text = GenerateProse(random, false, 2000) + GenerateProse(random, true, 2000) + TokenizerFixtures.RandomText(random, 2000);
            Assert.Equal(TokenizerFixtures.Oracle.EncodeToIds(text).ToArray(), tiktoken.Encode(text));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Sentences of common words, capitals, numbers and punctuation in English or Russian.</summary>
    internal static string GenerateProse(Random random, bool russian, int words)
    {
        string[] vocabulary = russian
            ? ["и", "в", "не", "он", "на", "я", "что", "тот", "быть", "с", "а", "весь", "это", "как", "она", "по", "но", "они",
               "к", "у", "ты", "из", "мы", "за", "вы", "так", "же", "от", "сказать", "этот", "который", "мочь", "человек",
               "о", "один", "ещё", "бы", "такой", "только", "себя", "своё", "какой", "когда", "уже", "для", "вот", "кто",
               "да", "говорить", "год", "знать", "мой", "до", "или", "если", "время", "рука", "нет", "самый", "ни", "стать",
               "большой", "даже", "другой", "наш", "свой", "ну", "под", "где", "дело", "есть", "сам", "раз", "чтобы", "два",
               "там", "чем", "глаз", "жизнь", "первый", "день", "тут", "во", "ничто", "потом", "очень", "со", "хотеть",
               "ли", "при", "голова", "надо", "без", "видеть", "идти", "теперь", "тоже", "стоять", "друг", "дом", "Москва",
               "Россия", "Пушкин", "сейчас", "можно", "после", "слово", "здесь", "думать", "место", "спросить", "через"]
            : ["the", "of", "and", "to", "a", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with",
               "his", "they", "I", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what",
               "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do", "how",
               "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her",
               "would", "make", "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see", "number",
               "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who", "oil", "its", "now",
               "find", "long", "down", "day", "did", "get", "come", "made", "may", "part", "don't", "it's", "we'll", "London",
               "Shakespeare", "tokenizer", "transformer", "unbelievably", "Mr.", "e-mail", "self-attention", "GPT-2"];
        var sb = new System.Text.StringBuilder();
        bool capital = true;
        for (int i = 0; i < words; i++)
        {
            var word = random.Next(25) == 0 ? random.Next(1, 100000).ToString() : vocabulary[random.Next(vocabulary.Length)];
            sb.Append(capital ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            capital = false;
            int mark = random.Next(40);
            if (mark < 3) { sb.Append(". "); capital = true; }
            else if (mark < 5) sb.Append(", ");
            else if (mark == 5) { sb.Append("!\n\n"); capital = true; }
            else if (mark == 6) sb.Append(" — ");
            else if (mark == 7) { sb.Append("?\n"); capital = true; }
            else if (mark == 8) sb.Append("  ");
            else sb.Append(' ');
        }
        return sb.ToString();
    }
}
