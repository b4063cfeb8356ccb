using Sharpformer.Data;
using Sharpformer.Data.EnRu;

namespace Sharpformer.Tests.Data.EnRu;

public class EnRuClauseTests
{
    private static readonly EnRuLexicon Lex = EnRuLexicon.Default;

    private static NounPhrase N(string english, string? adjective = null) =>
        NounPhrase.Of(Lex.Noun(english), adjective is null ? null : Lex.Adjective(adjective));

    private static EnRuClause Shovel(Construction c, string subject = "Petya", bool negated = false, EnRuTime? time = null) =>
        new(c, N(subject), Lex.Verb("hit"), N("Vasya"), N("shovel"), negated, time);

    [Theory]
    [InlineData(Construction.Plain, "Petya hit Vasya with a shovel.", "Петя ударил Васю лопатой.")]
    [InlineData(Construction.Passive, "Vasya was hit by Petya with a shovel.", "Васю ударил Петя лопатой.")]
    [InlineData(Construction.InstrumentFocus, "It was with a shovel that Petya hit Vasya.", "Лопатой Петя ударил Васю.")]
    [InlineData(Construction.SubjectFocus, "It was Petya who hit Vasya with a shovel.", "Васю лопатой ударил Петя.")]
    [InlineData(Construction.ObjectFocus, "It was Vasya that Petya hit with a shovel.", "Петя ударил лопатой Васю.")]
    public void TheShovelSentenceInEveryConstruction(Construction construction, string english, string russian) =>
        Assert.Equal(new SentencePair(english, russian), Shovel(construction).ToPair());

    [Theory]
    [InlineData(Construction.Plain, "Masha did not hit Vasya with a shovel yesterday.", "Вчера Маша не ударила Васю лопатой.")]
    [InlineData(Construction.Passive, "Vasya was not hit by Masha with a shovel yesterday.", "Вчера Васю не ударила Маша лопатой.")]
    [InlineData(Construction.InstrumentFocus, "It was not with a shovel that Masha hit Vasya yesterday.", "Вчера не лопатой Маша ударила Васю.")]
    [InlineData(Construction.SubjectFocus, "It was not Masha who hit Vasya with a shovel yesterday.", "Вчера Васю лопатой ударила не Маша.")]
    [InlineData(Construction.ObjectFocus, "It was not Vasya that Masha hit with a shovel yesterday.", "Вчера Маша ударила лопатой не Васю.")]
    public void FeminineSubjectNegationAndTime(Construction construction, string english, string russian) =>
        Assert.Equal(new SentencePair(english, russian), Shovel(construction, "Masha", negated: true, time: Lex.Time("yesterday")).ToPair());

    [Fact]
    public void AdjectivesAgreeInCaseGenderAndAnimacy()
    {
        var clause = new EnRuClause(Construction.Plain, N("teacher", "old"), Lex.Verb("pushed"), N("sister", "little"), N("hammer", "heavy"));
        Assert.Equal(new SentencePair("The old teacher pushed the little sister with a heavy hammer.",
            "Старый учитель толкнул маленькую сестру тяжёлым молотком."), clause.ToPair());

        var animate = new EnRuClause(Construction.Plain, N("dog", "big"), Lex.Verb("frightened"), N("teacher", "old"), N("shovel", "iron"));
        Assert.Equal("Большая собака напугала старого учителя железной лопатой.", animate.Russian());
        Assert.Equal("The big dog frightened the old teacher with an iron shovel.", animate.English());

        var inanimate = new EnRuClause(Construction.Passive, N("Olya"), Lex.Verb("broke"), N("table", "old"), N("stone", "big"));
        Assert.Equal("The old table was broken by Olya with a big stone.", inanimate.English());
        Assert.Equal("Старый стол разбила Оля большим камнем.", inanimate.Russian());
    }

    [Fact]
    public void PronounsTakeTheirCasesAndAgreement()
    {
        var he = NounPhrase.Of(Lex.Pronoun("he"));
        var they = NounPhrase.Of(Lex.Pronoun("they"));
        var me = NounPhrase.Of(Lex.Pronoun("I"));
        var passive = new EnRuClause(Construction.Passive, N("Petya"), Lex.Verb("hit"), he, N("shovel"));
        Assert.Equal(new SentencePair("He was hit by Petya with a shovel.", "Его ударил Петя лопатой."), passive.ToPair());
        var plural = new EnRuClause(Construction.Plain, they, Lex.Verb("wiped"), N("table"), N("towel"), Negated: true);
        Assert.Equal(new SentencePair("They did not wipe the table with a towel.", "Они не вытерли стол полотенцем."), plural.ToPair());
        var passivePlural = new EnRuClause(Construction.Passive, N("Katya"), Lex.Verb("saved"), NounPhrase.Of(Lex.Pronoun("we")), N("rope"));
        Assert.Equal(new SentencePair("We were saved by Katya with a rope.", "Нас спасла Катя верёвкой."), passivePlural.ToPair());
        var focusMe = new EnRuClause(Construction.ObjectFocus, N("Katya"), Lex.Verb("woke"), me, N("spoon"));
        Assert.Equal(new SentencePair("It was me that Katya woke with a spoon.", "Катя разбудила ложкой меня."), focusMe.ToPair());
        var agent = new EnRuClause(Construction.Passive, NounPhrase.Of(Lex.Pronoun("she")), Lex.Verb("woke"), N("cat"), N("umbrella"));
        Assert.Equal(new SentencePair("The cat was woken by her with an umbrella.", "Кота разбудила она зонтиком."), agent.ToPair());
    }

    [Fact]
    public void AnimalSubjectFocusUsesThat()
    {
        var clause = new EnRuClause(Construction.SubjectFocus, N("horse"), Lex.Verb("pushed"), N("Ivan"), N("bucket"));
        Assert.Equal(new SentencePair("It was the horse that pushed Ivan with a bucket.", "Ивана ведром толкнула лошадь."), clause.ToPair());
    }

    [Fact]
    public void AdjectiveMustFitTheNoun() =>
        Assert.Throws<ArgumentException>(() => N("shovel", "angry"));

    [Fact]
    public void CombinationsNameVerbInstrumentSubjectObjectAndAdjectives()
    {
        var clause = new EnRuClause(Construction.Plain, N("teacher", "old"), Lex.Verb("pushed"), N("Masha"), N("hammer"));
        Assert.Equal(["verb+instrument:pushed|hammer", "subject+object:teacher|Masha", "adjective+noun:old|teacher"], clause.Combinations());
    }
}
