"""Word lists the generator draws people, characters, titles, keywords and companies from."""

from __future__ import annotations

# culture: (weight, male first names, female first names, surnames, family name first without space)
CULTURES: dict[str, tuple[float, str, str, str, bool]] = {
    "anglo": (
        64,
        "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
        "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
        "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
        "Scott Brandon Benjamin Samuel Gregory Frank Alexander Raymond Patrick Jack Dennis Jerry "
        "Tyler Aaron Henry Adam Douglas Nathan Peter Zachary Kyle Walter Harold Carl Arthur Gerald "
        "Roger Keith Jeremy Lawrence Sean Christian Albert Ethan Austin Willie Billy Bruce Bryan "
        "Ralph Roy Jordan Eugene Wayne Louis Alan Russell Vincent Philip Bobby Johnny Bradley "
        "Howard Fred Elmer Clint Burt Mickey Rock Spencer Montgomery Humphrey Cary Gregory Jimmy",
        "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty "
        "Margaret Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah "
        "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda "
        "Pamela Nicole Emma Samantha Katherine Christine Debra Rachel Catherine Carolyn Janet Ruth "
        "Maria Heather Diane Virginia Julie Joyce Victoria Olivia Kelly Christina Lauren Joan "
        "Evelyn Judith Megan Cheryl Andrea Hannah Martha Jacqueline Frances Gloria Ann Teresa "
        "Kathryn Sara Janice Jean Alice Madison Doris Abigail Julia Judy Grace Denise Amber Marilyn "
        "Beverly Danielle Theresa Sophia Marie Diana Natalie Isabella Charlotte Rose Alexis Kayla "
        "Kerri Bess Greta Vivien Rita Lana Ginger Bette Audrey Lauren Meryl Goldie Sissy Farrah",
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
        "Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott "
        "Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker "
        "Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed "
        "Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett Gray Hughes Price "
        "Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
        "Henderson Barnes Fisher Simmons Graham Marshall Owens Harrison Gibson Wallace Hayes Palmer "
        "Lane Hawkins Fleming Whitlock Carradine Blackwood Hollister Pemberton Ashford Kingsley "
        "Thornton Caldwell Donahue Fitzgerald Holloway Merriweather Lockhart Vance Ridley Sinclair "
        "O'Kane O'Brien O'Connor O'Reilly O'Neill O'Hara O'Toole O'Donnell O'Sullivan D'Onofrio",
        False,
    ),
    "french": (
        6,
        "Jean Pierre François Gérard Étienne Jérôme Benoît Jacques Joël Noël Michel Luc Rémi "
        "Thierry Hervé Frédéric André Honoré",
        "Léa Amélie Hélène Chloé Cécile Isabelle Michèle Thérèse Zoé Anaïs Béatrice Mélanie "
        "Juliette Agnès Élodie Françoise Noémie",
        "Dupont Lefèvre Moreau Girard Béart Rochefort Lemaître Bézier Mercier Chevalier Léaud "
        "Garçon Brûlé d'Artois Fournier Rousseau Bonnaire Lacroix Séverin Pécresse Duchêne",
        False,
    ),
    "german": (
        4,
        "Jürgen Günter Jörg Uwe Klaus Heinz Wolfgang Dieter Götz Björn Matthias",
        "Brigitte Ursula Gisela Käthe Dörte Hannelore Jutta Sabine Bärbel Lotte",
        "Müller Schäfer Schröder Köhler Weiß Groß Fröhlich Krüger Baumgärtner Schmidt Wagner "
        "Becker Hoffmann Böhm Jäger Günther",
        False,
    ),
    "spanish": (
        5,
        "José Jesús Ángel Raúl Joaquín João Andrés Álvaro Héctor Martín Iñaki Sebastián",
        "María Inés Sofía Conceição Lucía Mónica Verónica Ángela Begoña Raquel Penélope",
        "García Fernández López Martínez Sánchez Pérez Gómez Núñez Ibáñez Muñoz Gonçalves "
        "Araújo Ortega Ramírez Castillo Vázquez Peña",
        False,
    ),
    "italian": (
        4,
        "Giuseppe Marcello Nicolò Vittorio Federico Luca Giancarlo Massimo Niccolò",
        "Giulietta Sophia Monica Claudia Ornella Valentina Anna Lucia Asia",
        "Rossi Esposito Bianchi Romano Ricci Mastrangelo Colombo Ferrari Gallo Conti De Sica",
        False,
    ),
    "nordic": (
        2,
        "Søren Bjørn Lars Ørjan Mads Stellan Nikolaj Sverre Åke",
        "Åsa Märta Ingrid Liv Sidse Noomi Trine Birgitta",
        "Ørnås Sjöberg Hjørth Lindqvist Åkesson Jørgensen Skarsgård Rasmussen Thulin",
        False,
    ),
    "celtic": (
        2,
        "Seán Dafydd Rhys Ciarán Pádraig Eoin Gruffudd",
        "Siân Siobhán Niamh Aoife Gwyneth Róisín Catrin",
        "Phillips Llewellyn Pryce Ó Briain Ní Dhuibhir Gleeson Glendenning Meaney",
        False,
    ),
    "slavic": (
        3,
        "Vladimir Dmitri Łukasz Zbigniew Miloš Sergei Ivan Jiří Сергей Дмитрий",
        "Olga Małgorzata Milla Katarzyna Tatiana Irina Věra Анна Ольга",
        "Dvořák Kieślowski Wójcik Jovovich Petrov Novák Kowalski Иванов Петрова Smoktunovsky",
        False,
    ),
    "japanese": (
        4,
        "Takeshi Hiroshi Akira Kenji Haruki Ryo Tadanobu Kōji 太郎 健 一郎 謙二",
        "Yuki Keiko Mei Haruka Rinko Aoi Kyōko 花子 美咲 恵子",
        "Tanaka Watanabe Yamamoto Nakamura Kobayashi Saitō Itō Kitano 山田 佐藤 鈴木 高橋",
        True,
    ),
    "chinese": (
        3,
        "Wei Yun-Fat Tony Jet Donnie Chow 伟 洋 建国",
        "Ling Mei Gong Maggie Ziyi 芳 娜 静",
        "Chan Leung Wong Lau Cheung Zhang 张 王 李 刘",
        True,
    ),
    "korean": (
        1,
        "Min-sik Kang-ho Byung-hun Jung-jae 민수 동건",
        "Ji-woo Do-na Hye-jin 지은 수진",
        "Kim Lee Park Choi Song 김 이 박",
        True,
    ),
    "indian": (
        2,
        "Amitabh Shah Rukh Aamir Irrfan Naseeruddin Rajesh",
        "Priya Aishwarya Kajol Madhuri Shabana Deepika",
        "Kapoor Khan Bachchan Shah Dutt Roshan Rao",
        False,
    ),
}

TITLES = (
    "Dr. Mr. Mrs. Miss Ms. Officer Detective Agent Captain Sergeant Professor Father Sister "
    "Judge Uncle Aunt Grandma Lieutenant General Colonel Major Lord Lady Count Coach Nurse"
).split()

ROLES = (
    "Bartender|Nurse|Doctor|Police Officer|Reporter|Waitress|Waiter|Cab Driver|Security Guard|"
    "Soldier|Priest|Judge|Lawyer|Secretary|Receptionist|Mother|Father|Teacher|Student|Thug|"
    "Henchman|Guard|Detective|Sheriff|Deputy|Mayor|Bystander|Pedestrian|Party Guest|Dancer|"
    "Singer|Man in Bar|Woman at Bus Stop|Girl in Park|Little Boy|Old Man|Old Woman|Cop|FBI Agent|"
    "Scientist|Pilot|Prisoner|Janitor|Store Clerk|Newscaster|TV Host|Bank Teller|Hostage|Gangster|"
    "Bouncer|Paramedic|Firefighter|Referee|Narrator|Drunk|Hooker|Biker|Cheerleader|Flight Attendant"
).split("|")

RELATIONS = (
    "Mother Father Sister Brother Wife Husband Girlfriend Boyfriend Fiance Boss Secretary Lawyer "
    "Assistant Friend Daughter Son Neighbor Driver Bodyguard Doctor Grandmother Roommate"
).split()

NICKNAMES = "LC Ace Doc Red Lucky Bugsy Slim Knuckles Spud Mouse Tiny Boom-Boom".split()

ADJECTIVES = (
    "Last Lost Dark Silent Broken Hidden Wild Golden Final Secret Deadly Crimson Eternal Frozen "
    "Burning Savage Perfect Little Big Lonely Sweet Bitter Endless Forgotten Fallen Midnight "
    "Blue Black White Red Iron Glass Electric Hollow Distant Quiet Strange Forbidden Sacred"
).split()

NOUNS = (
    "Horizon Road River City Night Heart Shadow Kingdom Summer Winter Game Storm Garden House "
    "Island Mirror Promise Dream Journey Harvest Empire Frontier Witness Stranger Highway Hunter "
    "Paradise Sky Moon Fire Ocean Echo Ghost Angel Devil Wolf Dragon Soldier Hero Thief Lover "
    "Station Bridge Castle Tower Letter Song Dance Symphony Legacy Secret Machine Planet Wave"
).split()

PLACES = (
    "Paris|Berlin|Tokyo|Hong Kong|New York|Los Angeles|Chicago|Rome|London|Texas|Alaska|Mexico|"
    "Brooklyn|Vegas|Shanghai|Moscow|Istanbul|Havana|Marseille|Montréal|São Paulo|Kyōto|Zürich"
).split("|")

OCCUPATIONS = (
    "detective|schoolteacher|boxer|nurse|cop|journalist|lawyer|musician|thief|soldier|farmer|"
    "painter|surgeon|hitman|widow|con artist|pilot|writer|single mother|waitress|priest|scientist"
).split("|")

KEYWORDS = (
    "jealousy|toy|boy|friendship|friends|rivalry|boy next door|new toy|toy comes to life|"
    "board game|disappearance|based on children's book|new home|recluse|giant insect|fishing|"
    "best friend|duringcreditsstinger|aftercreditsstinger|old men|woman director|independent film|"
    "murder|biography|musical|sport|revenge|sequel|dystopia|world war ii|suspense|remake|"
    "los angeles|new york|high school|police|prison|drug|love|kidnapping|serial killer|vampire|"
    "zombie|alien|robot|martial arts|based on novel|based on comic book|christmas|wedding|"
    "small town|heist|bank robbery|time travel|superhero|spy|hitman|road trip|coming of age|"
    "teenager|lgbt|nudity|sex|female nudity|violence|corruption|journalist|politics|war|nazi|"
    "space|island|ship|airplane|car chase|explosion|hostage|detective|lawyer|trial|divorce|"
    "family|dog|cat|horse|shark|monster|ghost|haunted house|witch|magic|dragon|medieval|pirate|"
    "cowboy|slavery|racism|civil war|vietnam war|cold war|terrorist|virus|post-apocalyptic|"
    "survival|mafia|gangster|boxing|baseball|football|dancing|music|jazz|singer|paris|london|"
    "tokyo|hong kong|mexico|las vegas|hollywood|film making|actor|writer|painter|college|school|"
    "loneliness|depression|suicide|cancer|death|grief|amnesia|dream|nightmare|psychopath|stalker|"
    "obsession|infidelity|marriage|pregnancy|prison escape|escape|chase|train|hotel|casino|"
    "gambling|money|treasure|thief|con man|hacker|computer|television|found footage|mockumentary|"
    "stop motion|anthropomorphism|short|silent film|black and white|film noir|neo-noir|slasher|"
    "gore|assassin|ninja|samurai|kung fu|sword|based on true story|3d|satire|parody|spoof|"
    "black humor|absurd|café|señorita|über|children's book|mother's day|father's day|doppelgänger"
).split("|")

KEYWORD_MODIFIERS = (
    "female|young|small|old|secret|evil|lost|dead|fake|rich|mad|teenage|american|british|french|"
    "japanese|giant|undercover|rogue|former|haunted|missing|corrupt|naive|drunk|blind"
).split("|")

COMPANY_WORDS = (
    "Golden|Silver|Lion|Eagle|Northern|Pacific|Atlantic|Red Rock|Blue Sky|Crescent|Summit|Harbor|"
    "Meridian|Phoenix|Orion|Starlight|Highland|Lantern|Cobalt|Ember|Granite|Falcon|Liberty|Regal|"
    "Apex|Beacon|Cascade|Evergreen|Ironwood|Juniper|Keystone|Maple|Nimbus|Oakridge|Pinnacle"
).split("|")

COMPANY_SUFFIXES = (
    "Pictures|Films|Productions|Entertainment|Studios|Film Group|Media|Film Company|Cinema|"
    "Filmproduktion|Producciones|Film Corporation|Features|Motion Pictures|Filmes|Animation"
).split("|")

ODD_COMPANIES = (
    "Butcher's Run Films|Société Nouvelle de Cinématographie|Filmproduktion Köln|"
    "Producciones Cinematográficas Águila|東宝映画|Киностудия Север|Zoë's Barn Films|"
    "Compagnie Française du Cinéma|Shōchiku Ōfuna|Nordisk Film Å/S"
).split("|")
