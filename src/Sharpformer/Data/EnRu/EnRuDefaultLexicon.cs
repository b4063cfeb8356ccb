namespace Sharpformer.Data.EnRu;

/// <summary>The word lists of the built-in lexicon.</summary>
internal static class EnRuDefaultLexicon
{
    private const Agreement M = Agreement.Masculine, F = Agreement.Feminine, N = Agreement.Neuter;

    private static EnRuNoun Name(string en, string ru, Agreement g, string? oblique = null, bool stressed = false) =>
        new(en, new RussianNoun(ru, g, animate: true, oblique, stressed), NounKind.Name);

    private static EnRuNoun Person(string en, string ru, Agreement g, string? oblique = null, bool stressed = false, string? acc = null, string? ins = null) =>
        new(en, new RussianNoun(ru, g, animate: true, oblique, stressed, acc, ins), NounKind.Person);

    private static EnRuNoun Animal(string en, string ru, Agreement g, string? oblique = null, bool stressed = false) =>
        new(en, new RussianNoun(ru, g, animate: true, oblique, stressed), NounKind.Animal);

    private static EnRuNoun Thing(string en, string ru, Agreement g, string? oblique = null, bool stressed = false) =>
        new(en, new RussianNoun(ru, g, animate: false, oblique, stressed), NounKind.Thing);

    private static EnRuVerb Verb(string past, string participle, string bare, string ru, ObjectKind objects, string? otherStem = null) =>
        new(past, participle, bare, new RussianVerb(ru, otherStem), objects);

    private static EnRuAdjective Adj(string en, string ru, bool people, bool things) => new(en, new RussianAdjective(ru), people, things);

    public static EnRuLexicon Create() => new(
        names:
        [
            Name("Petya", "Петя", M), Name("Vasya", "Вася", M), Name("Kolya", "Коля", M), Name("Misha", "Миша", M),
            Name("Dima", "Дима", M), Name("Vanya", "Ваня", M), Name("Grisha", "Гриша", M), Name("Ilya", "Илья", M, stressed: true),
            Name("Ivan", "Иван", M), Name("Boris", "Борис", M), Name("Oleg", "Олег", M), Name("Anton", "Антон", M),
            Name("Andrey", "Андрей", M), Name("Sergey", "Сергей", M), Name("Igor", "Игорь", M), Name("Pavel", "Павел", M, oblique: "Павл"),
            Name("Masha", "Маша", F), Name("Dasha", "Даша", F), Name("Natasha", "Наташа", F), Name("Tanya", "Таня", F),
            Name("Olya", "Оля", F), Name("Katya", "Катя", F), Name("Anya", "Аня", F), Name("Lena", "Лена", F),
            Name("Sveta", "Света", F), Name("Ira", "Ира", F), Name("Nina", "Нина", F), Name("Vera", "Вера", F),
            Name("Olga", "Ольга", F), Name("Sonya", "Соня", F), Name("Yulia", "Юлия", F), Name("Maria", "Мария", F),
        ],
        people:
        [
            Person("teacher", "учитель", M), Person("doctor", "врач", M, stressed: true), Person("student", "студент", M),
            Person("neighbour", "сосед", M), Person("writer", "писатель", M), Person("guard", "сторож", M),
            Person("driver", "водитель", M), Person("director", "директор", M), Person("postman", "почтальон", M),
            Person("farmer", "фермер", M), Person("soldier", "солдат", M), Person("singer", "певец", M, "певц", stressed: true),
            Person("boy", "мальчик", M), Person("girl", "девочка", F), Person("man", "мужчина", M), Person("woman", "женщина", F),
            Person("brother", "брат", M), Person("sister", "сестра", F), Person("father", "отец", M, "отц", stressed: true),
            Person("mother", "мать", F, acc: "мать", ins: "матерью"), Person("grandfather", "дедушка", M), Person("grandmother", "бабушка", F),
            Person("uncle", "дядя", M), Person("aunt", "тётя", F), Person("king", "король", M, stressed: true), Person("queen", "королева", F),
            Person("actor", "актёр", M), Person("actress", "актриса", F), Person("waiter", "официант", M), Person("waitress", "официантка", F),
        ],
        animals:
        [
            Animal("cat", "кот", M), Animal("dog", "собака", F), Animal("horse", "лошадь", F), Animal("mouse", "мышь", F),
            Animal("cow", "корова", F), Animal("wolf", "волк", M), Animal("bear", "медведь", M), Animal("hare", "заяц", M, "зайц"),
            Animal("rooster", "петух", M, stressed: true), Animal("goose", "гусь", M, stressed: true), Animal("rabbit", "кролик", M),
            Animal("monkey", "обезьяна", F), Animal("fox", "лиса", F), Animal("hen", "курица", F), Animal("puppy", "щенок", M, "щенк", stressed: true),
            Animal("kitten", "котёнок", M, "котёнк"), Animal("goat", "коза", F), Animal("duck", "утка", F), Animal("parrot", "попугай", M),
            Animal("elephant", "слон", M), Animal("donkey", "осёл", M, "осл", stressed: true), Animal("crocodile", "крокодил", M),
        ],
        things:
        [
            Thing("table", "стол", M), Thing("door", "дверь", F), Thing("window", "окно", N), Thing("car", "машина", F),
            Thing("wall", "стена", F), Thing("wardrobe", "шкаф", M), Thing("fence", "забор", M), Thing("box", "коробка", F),
            Thing("lamp", "лампа", F), Thing("vase", "ваза", F), Thing("plate", "тарелка", F), Thing("cup", "чашка", F),
            Thing("mirror", "зеркало", N), Thing("drum", "барабан", M), Thing("tree", "дерево", N), Thing("bench", "скамейка", F),
            Thing("suitcase", "чемодан", M), Thing("sofa", "диван", M), Thing("bicycle", "велосипед", M), Thing("alarm clock", "будильник", M),
        ],
        instruments:
        [
            Thing("shovel", "лопата", F), Thing("hammer", "молоток", M, "молотк", stressed: true), Thing("stick", "палка", F),
            Thing("spoon", "ложка", F), Thing("fork", "вилка", F), Thing("umbrella", "зонтик", M), Thing("book", "книга", F),
            Thing("newspaper", "газета", F), Thing("pillow", "подушка", F), Thing("broom", "метла", F, stressed: true),
            Thing("towel", "полотенце", N), Thing("bucket", "ведро", N), Thing("oar", "весло", N), Thing("rope", "верёвка", F),
            Thing("belt", "ремень", M, "ремн", stressed: true), Thing("key", "ключ", M, stressed: true), Thing("knife", "нож", M, stressed: true),
            Thing("pencil", "карандаш", M, stressed: true), Thing("ruler", "линейка", F), Thing("brush", "щётка", F),
            Thing("bottle", "бутылка", F), Thing("slipper", "тапок", M, "тапк"), Thing("boot", "сапог", M), Thing("bag", "сумка", F),
            Thing("ball", "мяч", M, stressed: true), Thing("stone", "камень", M, "камн"), Thing("brick", "кирпич", M, stressed: true),
            Thing("frying pan", "сковородка", F), Thing("branch", "ветка", F), Thing("feather", "перо", N), Thing("flower", "цветок", M, "цветк", stressed: true),
            Thing("fish", "рыба", F), Thing("axe", "топор", M), Thing("snowball", "снежок", M, "снежк", stressed: true), Thing("plank", "доска", F, stressed: true),
            Thing("magazine", "журнал", M), Thing("notebook", "тетрадь", F), Thing("net", "сачок", M, "сачк", stressed: true),
            Thing("paintbrush", "кисть", F), Thing("glove", "перчатка", F), Thing("cucumber", "огурец", M, "огурц", stressed: true),
            Thing("sausage", "колбаса", F, stressed: true), Thing("sword", "меч", M, stressed: true), Thing("whip", "кнут", M), Thing("chair", "стул", M),
        ],
        pronouns:
        [
            new EnRuPronoun("he", "him", "он", "его", Agreement.Masculine),
            new EnRuPronoun("she", "her", "она", "её", Agreement.Feminine),
            new EnRuPronoun("we", "us", "мы", "нас", Agreement.Plural),
            new EnRuPronoun("they", "them", "они", "их", Agreement.Plural),
            new EnRuPronoun("I", "me", "я", "меня", Agreement.Masculine, CanBeSubject: false),
        ],
        verbs:
        [
            Verb("hit", "hit", "hit", "ударил", ObjectKind.Any),
            Verb("pushed", "pushed", "push", "толкнул", ObjectKind.Any),
            Verb("touched", "touched", "touch", "потрогал", ObjectKind.Any),
            Verb("tickled", "tickled", "tickle", "пощекотал", ObjectKind.Animate),
            Verb("poked", "poked", "poke", "ткнул", ObjectKind.Any),
            Verb("scratched", "scratched", "scratch", "поцарапал", ObjectKind.Any),
            Verb("frightened", "frightened", "frighten", "напугал", ObjectKind.Animate),
            Verb("woke", "woken", "wake", "разбудил", ObjectKind.Animate),
            Verb("beat", "beaten", "beat", "избил", ObjectKind.Animate),
            Verb("struck", "struck", "strike", "стукнул", ObjectKind.Any),
            Verb("caught", "caught", "catch", "поймал", ObjectKind.Any),
            Verb("stopped", "stopped", "stop", "остановил", ObjectKind.Any),
            Verb("defended", "defended", "defend", "защитил", ObjectKind.Animate),
            Verb("saved", "saved", "save", "спас", ObjectKind.Animate, otherStem: "спасл"),
            Verb("lifted", "lifted", "lift", "поднял", ObjectKind.Any),
            Verb("covered", "covered", "cover", "накрыл", ObjectKind.Any),
            Verb("wiped", "wiped", "wipe", "вытер", ObjectKind.Any, otherStem: "вытерл"),
            Verb("splashed", "splashed", "splash", "обрызгал", ObjectKind.Any),
            Verb("stroked", "stroked", "stroke", "погладил", ObjectKind.Any),
            Verb("broke", "broken", "break", "разбил", ObjectKind.Inanimate),
            Verb("cleaned", "cleaned", "clean", "почистил", ObjectKind.Inanimate),
            Verb("painted", "painted", "paint", "покрасил", ObjectKind.Inanimate),
            Verb("opened", "opened", "open", "открыл", ObjectKind.Inanimate),
            Verb("measured", "measured", "measure", "измерил", ObjectKind.Any),
        ],
        adjectives:
        [
            Adj("old", "старый", true, true), Adj("young", "молодой", true, false), Adj("angry", "сердитый", true, false),
            Adj("kind", "добрый", true, false), Adj("lazy", "ленивый", true, false), Adj("cheerful", "весёлый", true, false),
            Adj("tall", "высокий", true, false), Adj("little", "маленький", true, false), Adj("strong", "сильный", true, false),
            Adj("brave", "храбрый", true, false), Adj("sleepy", "сонный", true, false), Adj("red-haired", "рыжий", true, false),
            Adj("good", "хороший", true, false), Adj("big", "большой", true, true), Adj("clever", "умный", true, false),
            Adj("hungry", "голодный", true, false),
            Adj("heavy", "тяжёлый", false, true), Adj("long", "длинный", false, true), Adj("wooden", "деревянный", false, true),
            Adj("iron", "железный", false, true), Adj("new", "новый", false, true), Adj("small", "маленький", false, true),
            Adj("sharp", "острый", false, true), Adj("red", "красный", false, true), Adj("blue", "синий", false, true),
            Adj("dirty", "грязный", false, true), Adj("wet", "мокрый", false, true), Adj("rusty", "ржавый", false, true),
            Adj("short", "короткий", false, true), Adj("light", "лёгкий", false, true), Adj("green", "зелёный", false, true),
            Adj("yellow", "жёлтый", false, true), Adj("black", "чёрный", false, true), Adj("white", "белый", false, true),
        ],
        times:
        [
            new EnRuTime("yesterday", "вчера"), new EnRuTime("today", "сегодня"), new EnRuTime("in the morning", "утром"),
            new EnRuTime("in the evening", "вечером"), new EnRuTime("at night", "ночью"), new EnRuTime("on Sunday", "в воскресенье"),
        ]);
}
