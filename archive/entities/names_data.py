"""Word lists for person names: what is not part of a name, and which given names are one name.

All entries are folded (lowercase ASCII, see :func:`archive.entities.folding.fold`).
"""

from __future__ import annotations

#: Titles, ranks and roles that NER often keeps in a PERSON span ("General Mikałaj Karpiankou",
#: "Deputy Minister Mikalai Karpyankov"); stripped from the front of a name.
TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend father sister brother saint st
    general gen lieutenant lt colonel col major maj captain capt commander cmdr admiral adm sergeant sgt
    corporal cpl marshal field private officer chief
    president vice deputy prime minister secretary chairman chairwoman chairperson chair premier
    chancellor governor gov senator sen representative rep congressman congresswoman ambassador envoy
    mayor judge justice king queen prince princess emperor empress pope cardinal archbishop bishop
    sheikh sheik emir ayatollah imam rabbi patriarch metropolitan dictator leader spokesman spokeswoman
    director manager head commissioner minister-president foreign finance interior defence defense
    internal affairs economy trade state of the former late acting new then opposition candidate
    activist journalist author photographer analyst economist professor lawyer mp mep
    """.split()
)

#: Titles that show the next word is a person's name: honorifics, ranks and offices, without the
#: words of :data:`TITLES` that also come before places or things ("the", "state", "foreign").
EVIDENCE_TITLES = TITLES - frozenset(
    """
    of the former late acting new then opposition foreign finance interior defence defense internal
    affairs economy trade state head chief director manager leader private field officer
    """.split()
)

#: Last words of names of things, not people: a capitalised pair ending in one, or a name followed by
#: one, is a club, a venue, a firm, a channel or an event ("Crystal Palace", "Sheffield United",
#: "Trent Bridge", "German Open", "Vot Tak TV").
THING_WORDS = frozenset(
    """
    united city town county rovers wanderers athletic palace park bridge stadium arena field ground
    open cup trophy championship championships league games grand prix newsroom desk bureau
    street road avenue square airport station port bay river lake island islands mountains
    bank group corp corporation inc ltd plc co company holdings airlines airways motors
    university college school institute hospital party council committee ministry army police
    tv radio channel agency
    """.split()
)

#: Words around a PERSON span in photo captions or bylines that are not part of the name.
TRAILING_WORDS = frozenset(
    "photo photos photograph credit credits file source via ap afp reuters getty epa tass said says".split()
)

#: Generational suffixes: kept out of the key so "Ronald Reagan Jr" does not need its own surname.
SUFFIXES = frozenset("jr sr ii iii iv".split())

#: Lowercase particles that belong to a surname ("Willy de Clercq", "Ludwig van Beethoven").
PARTICLES = frozenset("de da di del della der den van von la le du dos das bin ibn al el ter ten".split())

#: Single words NER tags as PERSON that are not people.
NOT_NAMES = frozenset(
    """
    god allah jesus christ mr mrs ms dr sir photo monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november december
    assembly band girl boy people public presidents government court house senate congress parliament
    """.split()
)

#: Given names of :data:`GIVEN_NAME_GROUPS` that are also common English words: a capitalised one
#: of these before another capitalised word ("Roman Empire", "Bill Passed") does not start a name.
GIVEN_NAMES_THAT_ARE_WORDS = frozenset(
    "roman will bill don sue ken ben ed ted rob pat dick victor mark".split()
)

#: Given names that are one name in several languages or transliterations, and common English
#: hypocorisms. The first spelling of a group is its canonical form in keys. Spellings that differ only
#: by the romanisation rules of :func:`archive.entities.persons.skeleton` (y/i, w/v, sz/sh...) need no
#: entry. Only unambiguous pairs are listed: "Al" could be Albert or Alexander, so it is absent.
GIVEN_NAME_GROUPS = [
    "aleksandr alexander alyaksandr aliaksandr alaksandr aleksander alexandr alexandre alessandro alejandro"
    " oleksandr olexandr alexandros aleksandar",
    "nikolai mikalai mikalaj mikolaj mikola mykola nikolay nicolai nikolaj nicholas nicolas nikolaus niklas",
    "igor ihar ihor",
    "viktor viktar victor wiktor",
    "sergei sergey siarhei siarhiej serhiy serhii sergiy sergej sergiusz",
    "vladimir uladzimir volodymyr wlodzimierz vladimer",
    "dmitry dmitri dzmitry dmytro dmitrij",
    "yevgeny evgeny evgeni yauhen yevhen eugene eugeniusz jewgeni",
    "andrei andrey andriy andrii andrzej andrew andreas andre andres",
    "pavel paul pavlo pawel paulo pablo",
    "pyotr petr piotr peter petro pietro pedro pierre",
    "mikhail michael mikhas mykhailo michal michel miguel michele mike",
    "yuri yury yurii yurij jerzy",
    "oleg aleh oleh",
    "svetlana sviatlana svyatlana swiatlana svitlana",
    "tatiana tatsiana tatyana tetiana tatjana",
    "natalia natallia natalya nataliya natalie",
    "maria maryia mariya marya marie mary",
    "konstantin kanstantsin kostiantyn konstanty constantine",
    "roman raman",
    "maksim maxim maksym maxime",
    "vasily vasil vasyl vasili wasyl",
    "anatoly anatol anatolii anatoliy",
    "yaroslav yaraslau jaroslaw",
    "stanislav stanislau stanislaw",
    "valery valer valeriy valerii walery",
    "leonid leanid",
    "grigory ryhor hryhoriy grzegorz gregory",
    "yakov yakau jakub jacob",
    "stepan stsiapan stefan stephen steven steve",
    "ivan ivan iwan yvan",
    "olga volha olha",
    "alexei aliaksei aleksei alexey oleksiy",
    "veronika veranika veronica",
    "james jim jimmy jamie",
    "william bill billy will willy",
    "robert bob bobby rob",
    "richard dick rick ricky",
    "thomas tom tommy",
    "edward ed ted teddy",
    "charles charlie chuck",
    "joseph joe joey",
    "lawrence larry laurence",
    "ronald ron ronnie",
    "daniel dan danny",
    "david dave",
    "kenneth ken kenny",
    "donald don",
    "samuel sam",
    "benjamin ben",
    "gerald gerry jerry",
    "anthony tony",
    "frederick fred freddie",
    "elizabeth liz beth betty",
    "margaret maggie peggy",
    "katherine catherine kate kathy",
    "patricia patty",
    "susan sue",
    "jennifer jenny",
]

#: Titles, ranks and roles before a name in Russian, Ukrainian, Belarusian and Polish news, in the
#: nominative (a case ending after them still matches, see :func:`archive.entities.ner_slavic.titled`):
#: a surname alone after one is a person ("президента Зеленського", "premiera Tuska").
SLAVIC_TITLES = frozenset(
    """
    президент прем'єр премьер прэм'ер міністр министр міністар віцепрем'єр вицепремьер канцлер
    пан пані панове господин госпожа спадар спадарыня генерал полковник майор капітан капитан
    лейтенант сержант маршал адмірал адмирал депутат сенатор посол посланник губернатор мер
    голова глава кіраўнік керівник лідер лидер спікер спикер секретар секретарь речник пресс-секретарь
    прессекретарь король королева принц принцеса принцесса цар царь імператор император гетьман
    патріарх патриарх митрополит єпископ епископ папа отець отец кардинал архієпископ
    суддя судья прокурор адвокат професор профессор доктор академік академик
    письменник писатель поет поэт поетеса поэтесса журналіст журналист режисер режиссер
    актор актер актриса акторка співак певец співачка певица композитор художник тренер
    директор заступник заместитель намесник речниця очільник
    prezydent premier minister wicepremier kanclerz pan pani generał pułkownik major kapitan
    poseł posłanka senator ambasador wojewoda burmistrz prezes marszałek przewodniczący
    przewodnicząca rzecznik rzeczniczka król królowa książę papież biskup arcybiskup kardynał
    ksiądz sędzia prokurator adwokat profesor doktor pisarz poeta dziennikarz reżyser aktor
    aktorka trener dyrektor szef szefowa wiceminister
    """.split()
)
