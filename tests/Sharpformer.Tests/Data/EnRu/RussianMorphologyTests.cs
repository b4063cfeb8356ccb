using Sharpformer.Data.EnRu;

namespace Sharpformer.Tests.Data.EnRu;

/// <summary>Declensions and agreement checked against the forms a Russian grammar gives.</summary>
public class RussianMorphologyTests
{
    private static RussianNoun Noun(string english) => EnRuLexicon.Default.Noun(english).Russian;

    [Theory]
    // -а/-я nouns: accusative -у/-ю; instrumental -ой/-ей/-ёй.
    [InlineData("Vasya", "Васю", "Васей")]
    [InlineData("Petya", "Петю", "Петей")]
    [InlineData("Masha", "Машу", "Машей")]
    [InlineData("Dima", "Диму", "Димой")]
    [InlineData("Ilya", "Илью", "Ильёй")]
    [InlineData("Yulia", "Юлию", "Юлией")]
    [InlineData("Olga", "Ольгу", "Ольгой")]
    [InlineData("grandfather", "дедушку", "дедушкой")]
    [InlineData("uncle", "дядю", "дядей")]
    [InlineData("hen", "курицу", "курицей")]
    [InlineData("dog", "собаку", "собакой")]
    [InlineData("shovel", "лопату", "лопатой")]
    [InlineData("stick", "палку", "палкой")]
    [InlineData("broom", "метлу", "метлой")]
    // Animate masculine: accusative = genitive.
    [InlineData("teacher", "учителя", "учителем")]
    [InlineData("doctor", "врача", "врачом")]
    [InlineData("guard", "сторожа", "сторожем")]
    [InlineData("Ivan", "Ивана", "Иваном")]
    [InlineData("Andrey", "Андрея", "Андреем")]
    [InlineData("Igor", "Игоря", "Игорем")]
    [InlineData("Pavel", "Павла", "Павлом")]
    [InlineData("father", "отца", "отцом")]
    [InlineData("singer", "певца", "певцом")]
    [InlineData("hare", "зайца", "зайцем")]
    [InlineData("goose", "гуся", "гусём")]
    [InlineData("king", "короля", "королём")]
    [InlineData("puppy", "щенка", "щенком")]
    [InlineData("parrot", "попугая", "попугаем")]
    [InlineData("donkey", "осла", "ослом")]
    // Inanimate masculine: accusative = nominative.
    [InlineData("hammer", "молоток", "молотком")]
    [InlineData("table", "стол", "столом")]
    [InlineData("belt", "ремень", "ремнём")]
    [InlineData("stone", "камень", "камнем")]
    [InlineData("knife", "нож", "ножом")]
    [InlineData("pencil", "карандаш", "карандашом")]
    [InlineData("cucumber", "огурец", "огурцом")]
    [InlineData("snowball", "снежок", "снежком")]
    // Feminine -ь: accusative unchanged, instrumental -ью (animate too).
    [InlineData("door", "дверь", "дверью")]
    [InlineData("horse", "лошадь", "лошадью")]
    [InlineData("notebook", "тетрадь", "тетрадью")]
    [InlineData("mother", "мать", "матерью")]
    // Neuter.
    [InlineData("window", "окно", "окном")]
    [InlineData("towel", "полотенце", "полотенцем")]
    [InlineData("bucket", "ведро", "ведром")]
    public void NounDeclension(string english, string accusative, string instrumental)
    {
        var noun = Noun(english);
        Assert.Equal(accusative, noun.Accusative);
        Assert.Equal(instrumental, noun.Instrumental);
    }

    [Theory]
    [InlineData("старый", "старого", "старым", "старая", "старую", "старой", "старое")]
    [InlineData("молодой", "молодого", "молодым", "молодая", "молодую", "молодой", "молодое")]
    [InlineData("большой", "большого", "большим", "большая", "большую", "большой", "большое")]
    [InlineData("хороший", "хорошего", "хорошим", "хорошая", "хорошую", "хорошей", "хорошее")]
    [InlineData("маленький", "маленького", "маленьким", "маленькая", "маленькую", "маленькой", "маленькое")]
    [InlineData("синий", "синего", "синим", "синяя", "синюю", "синей", "синее")]
    [InlineData("рыжий", "рыжего", "рыжим", "рыжая", "рыжую", "рыжей", "рыжее")]
    [InlineData("лёгкий", "лёгкого", "лёгким", "лёгкая", "лёгкую", "лёгкой", "лёгкое")]
    public void AdjectiveDeclension(string masc, string mascAccAnimate, string mascIns, string fem, string femAcc, string femIns, string neut)
    {
        var a = new RussianAdjective(masc);
        Assert.Equal(masc, a.Form(RussianCase.Nominative, Agreement.Masculine, true));
        Assert.Equal(mascAccAnimate, a.Form(RussianCase.Accusative, Agreement.Masculine, animate: true));
        Assert.Equal(masc, a.Form(RussianCase.Accusative, Agreement.Masculine, animate: false));
        Assert.Equal(mascIns, a.Form(RussianCase.Instrumental, Agreement.Masculine, false));
        Assert.Equal(mascIns, a.Form(RussianCase.Instrumental, Agreement.Neuter, false));
        Assert.Equal(fem, a.Form(RussianCase.Nominative, Agreement.Feminine, true));
        Assert.Equal(femAcc, a.Form(RussianCase.Accusative, Agreement.Feminine, true));
        Assert.Equal(femIns, a.Form(RussianCase.Instrumental, Agreement.Feminine, false));
        Assert.Equal(neut, a.Form(RussianCase.Nominative, Agreement.Neuter, false));
        Assert.Equal(neut, a.Form(RussianCase.Accusative, Agreement.Neuter, false));
    }

    [Theory]
    [InlineData("hit", "ударил", "ударила", "ударили")]
    [InlineData("lifted", "поднял", "подняла", "подняли")]
    [InlineData("wiped", "вытер", "вытерла", "вытерли")]
    [InlineData("saved", "спас", "спасла", "спасли")]
    public void PastTenseAgreement(string english, string masculine, string feminine, string plural)
    {
        var verb = EnRuLexicon.Default.Verb(english).Russian;
        Assert.Equal(masculine, verb.Past(Agreement.Masculine));
        Assert.Equal(feminine, verb.Past(Agreement.Feminine));
        Assert.Equal(plural, verb.Past(Agreement.Plural));
    }

    [Fact]
    public void NounOutsideTheRulesMustGiveItsForms()
    {
        Assert.Throws<ArgumentException>(() => new RussianNoun("пальто", Agreement.Masculine, false));
        Assert.Throws<ArgumentException>(() => new RussianVerb("вытер"));
        Assert.Throws<ArgumentException>(() => new RussianAdjective("быстро"));
    }
}
