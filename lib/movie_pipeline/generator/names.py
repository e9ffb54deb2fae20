"""Word lists the generator draws people, characters, titles, keywords and companies from."""

from __future__ import annotations


def words(text: str, sep: str | None = None) -> list[str]:
    """Split a long literal into a list (keeps word lists a few lines long instead of pages)."""
    return text.split(sep)


# culture: (weight, male first names, female first names, surnames, surname prefixes, suffixes);
# made-up surnames (prefix + suffix) keep a full-size pool of ~370k people mostly distinct.
CULTURES: dict[str, tuple[float, str, str, str, str, str]] = {
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
        "Ash Black Brad Brook Carl Clay Dal Den Ell Fair Gold Green Hal Hart Hay Kings Lang Mar Mid Mor North Pen Ravens Red Ros Sand Shel Stan Stock Thorn Wal Wes Whit Wil Win Wood Ald Bram Cald Crom Fen Har Hol Lock Pem Rad Ship Tal",
        "ton ley ford wood field worth by well more ridge dale son er ham stead wick combe low brook croft shaw wright land hurst",
    ),
    "french": (
        6,
        "Jean Pierre François Gérard Étienne Jérôme Benoît Jacques Joël Noël Michel Luc Rémi "
        "Thierry Hervé Frédéric André Honoré",
        "Léa Amélie Hélène Chloé Cécile Isabelle Michèle Thérèse Zoé Anaïs Béatrice Mélanie "
        "Juliette Agnès Élodie Françoise Noémie",
        "Dupont Lefèvre Moreau Girard Béart Rochefort Lemaître Bézier Mercier Chevalier Léaud "
        "Garçon Brûlé d'Artois Fournier Rousseau Bonnaire Lacroix Séverin Pécresse Duchêne",
        "Beau Bel Bon Dela Dumon Fontai Lafor Lemar Montre Roche Vill Cham Duva Gal Mar Ber Cour Gau Lan Per",
        "lier net ville court mont ier aud eau ac in ès ard ot ois elle",
    ),
    "german": (
        4,
        "Jürgen Günter Jörg Uwe Klaus Heinz Wolfgang Dieter Götz Björn Matthias",
        "Brigitte Ursula Gisela Käthe Dörte Hannelore Jutta Sabine Bärbel Lotte",
        "Müller Schäfer Schröder Köhler Weiß Groß Fröhlich Krüger Baumgärtner Schmidt Wagner "
        "Becker Hoffmann Böhm Jäger Günther",
        "Alt Bach Berg Eich Feld Hoch Kirch Lind Rosen Schwarz Stein Wald Weiß Zimmer Brand Hart Kessel Mühl",
        "mann berger hof feld bauer meier stätter hausen müller ner inger",
    ),
    "spanish": (
        5,
        "José Jesús Ángel Raúl Joaquín João Andrés Álvaro Héctor Martín Iñaki Sebastián",
        "María Inés Sofía Conceição Lucía Mónica Verónica Ángela Begoña Raquel Penélope",
        "García Fernández López Martínez Sánchez Pérez Gómez Núñez Ibáñez Muñoz Gonçalves "
        "Araújo Ortega Ramírez Castillo Vázquez Peña",
        "Al Bal Cas Del Esc Fer Gal Mon Ros Val Vil Cor Lar Mar Sal",
        "ada ero illo ares ández uela ón ino eda azo",
    ),
    "italian": (
        4,
        "Giuseppe Marcello Nicolò Vittorio Federico Luca Giancarlo Massimo Niccolò",
        "Giulietta Sophia Monica Claudia Ornella Valentina Anna Lucia Asia",
        "Rossi Esposito Bianchi Romano Ricci Mastrangelo Colombo Ferrari Gallo Conti De Sica",
        "Bar Bel Cap Cor Fal Mar Mon Pel Ros San Ver Gal Lom Tor",
        "etti ini ucci elli one ardi ano ese oni izzi",
    ),
    "nordic": (
        2,
        "Søren Bjørn Lars Ørjan Mads Stellan Nikolaj Sverre Åke",
        "Åsa Märta Ingrid Liv Sidse Noomi Trine Birgitta",
        "Ørnås Sjöberg Hjørth Lindqvist Åkesson Jørgensen Skarsgård Rasmussen Thulin",
        "Berg Dahl Ek Fjell Holm Lund Sand Sjö Strand Ås Lind Nord",
        "ström gren qvist berg lund sen sson dal",
    ),
    "celtic": (
        2,
        "Seán Dafydd Rhys Ciarán Pádraig Eoin Gruffudd",
        "Siân Siobhán Niamh Aoife Gwyneth Róisín Catrin",
        "Phillips Llewellyn Pryce Gleeson Glendenning Meaney Súilleabháin",
        "Mac Mc O'",
        "Bride Carthy Ginley Dermott Allister Gowan Laren Nally Grath Kenna",
    ),
    "slavic": (
        3,
        "Vladimir Dmitri Łukasz Zbigniew Miloš Sergei Ivan Jiří",
        "Olga Małgorzata Milla Katarzyna Tatiana Irina Věra",
        "Dvořák Kieślowski Wójcik Jovovich Petrov Novák Kowalski Smoktunovsky",
        "Kowal Nowak Wiśn Dąbr Lewand Zieli Szyman Kozł Jank Wojc Kamiń Horvat Novot Pav Mar",
        "ski ewicz czyk owski ov enko ić ák",
    ),
    "japanese": (
        4,
        "Takeshi Hiroshi Akira Kenji Haruki Ryo Tadanobu Kōji",
        "Yuki Keiko Mei Haruka Rinko Aoi Kyōko",
        "Tanaka Watanabe Yamamoto Nakamura Kobayashi Saitō Itō Kitano",
        "Taka Naka Yama Kawa Matsu Ishi Fuji Mori Hayashi Ino Oka Shima",
        "mura moto hashi da yama saki gawa kawa no ta",
    ),
    "chinese": (
        3,
        "Wei Yun-Fat Tony Jet Donnie Chow",
        "Ling Mei Gong Maggie Ziyi",
        "Chan Leung Wong Lau Cheung Zhang",
        "Ch Zh L W H Y X Sh",
        "ang en ou iu ao eng ing ui",
    ),
    "korean": (
        1,
        "Min-sik Kang-ho Byung-hun Jung-jae",
        "Ji-woo Do-na Hye-jin",
        "Kim Lee Park Choi Song",
        "K J Y H S",
        "ang eon im oo ae",
    ),
    "indian": (
        2,
        "Amitabh Shah Rukh Aamir Irrfan Naseeruddin Rajesh",
        "Priya Aishwarya Kajol Madhuri Shabana Deepika",
        "Kapoor Khan Bachchan Shah Dutt Roshan Rao",
        "Ag Bh Ch Des Gup Jos Kh Mal Meh Pat Sha Ver",
        "arwal atia opra ai ta hi anna hotra ta el rma ma",
    ),
}

# Names as TMDB stores some people: in their own script, family name first, no space.
NATIVE_NAMES: dict[str, tuple[str, str, str]] = {  # family names, male given, female given
    "japanese": (
        "山田 佐藤 鈴木 高橋 田中 渡辺 伊藤 中村 小林 加藤 松田 北野",
        "太郎 一郎 健 謙二 武 浩 誠 翔太",
        "花子 美咲 恵子 凛子 陽子 優子 由美",
    ),
    "chinese": (
        "张 王 李 刘 陈 杨 黄 赵 周 梁",
        "伟 洋 强 磊 军 润发 朝伟",
        "芳 娜 静 敏 丽 子怡 曼玉",
    ),
    "korean": ("김 이 박 최 정 송 배", "민수 강호 병헌 동건 준호", "지은 두나 도연 수진 하늘"),
}

TITLES = words(
    "Dr. Mr. Mrs. Miss Ms. Officer Detective Agent Captain Sergeant Professor Father Sister "
    "Judge Uncle Aunt Grandma Lieutenant General Colonel Major Lord Lady Count Coach Nurse"
)

ROLES = words(
    "Bartender|Nurse|Doctor|Police Officer|Reporter|Waitress|Waiter|Cab Driver|Security Guard|"
    "Soldier|Priest|Judge|Lawyer|Secretary|Receptionist|Mother|Father|Teacher|Student|Thug|"
    "Henchman|Guard|Detective|Sheriff|Deputy|Mayor|Bystander|Pedestrian|Party Guest|Dancer|"
    "Singer|Man in Bar|Woman at Bus Stop|Girl in Park|Little Boy|Old Man|Old Woman|Cop|FBI Agent|"
    "Scientist|Pilot|Prisoner|Janitor|Store Clerk|Newscaster|TV Host|Bank Teller|Hostage|Gangster|"
    "Bouncer|Paramedic|Firefighter|Referee|Narrator|Drunk|Hooker|Biker|Cheerleader|Flight Attendant",
    "|",
)

RELATIONS = words(
    "Mother Father Sister Brother Wife Husband Girlfriend Boyfriend Fiance Boss Secretary Lawyer "
    "Assistant Friend Daughter Son Neighbor Driver Bodyguard Doctor Grandmother Roommate"
)

NICKNAMES = words("LC Ace Doc Red Lucky Bugsy Slim Knuckles Spud Mouse Tiny Boom-Boom")

ADJECTIVES = words(
    "Last Lost Dark Silent Broken Hidden Wild Golden Final Secret Deadly Crimson Eternal Frozen "
    "Burning Savage Perfect Little Big Lonely Sweet Bitter Endless Forgotten Fallen Midnight "
    "Blue Black White Red Iron Glass Electric Hollow Distant Quiet Strange Forbidden Sacred"
)

NOUNS = words(
    "Horizon Road River City Night Heart Shadow Kingdom Summer Winter Game Storm Garden House "
    "Island Mirror Promise Dream Journey Harvest Empire Frontier Witness Stranger Highway Hunter "
    "Paradise Sky Moon Fire Ocean Echo Ghost Angel Devil Wolf Dragon Soldier Hero Thief Lover "
    "Station Bridge Castle Tower Letter Song Dance Symphony Legacy Secret Machine Planet Wave"
)

PLACES = words(
    "Paris|Berlin|Tokyo|Hong Kong|New York|Los Angeles|Chicago|Rome|London|Texas|Alaska|Mexico|"
    "Brooklyn|Vegas|Shanghai|Moscow|Istanbul|Havana|Marseille|Montréal|São Paulo|Kyōto|Zürich",
    "|",
)

OCCUPATIONS = words(
    "detective|schoolteacher|boxer|nurse|cop|journalist|lawyer|musician|thief|soldier|farmer|"
    "painter|surgeon|hitman|widow|con artist|pilot|writer|single mother|waitress|priest|scientist",
    "|",
)

KEYWORDS = words(
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
    "black humor|absurd|café|señorita|über|children's book|mother's day|father's day|doppelgänger",
    "|",
)

KEYWORD_MODIFIERS = words(
    "female|young|small|old|secret|evil|lost|dead|fake|rich|mad|teenage|american|british|french|"
    "japanese|giant|undercover|rogue|former|haunted|missing|corrupt|naive|drunk|blind",
    "|",
)

KEYWORD_NOUNS = words(
    "detective|cop|teacher|doctor|nurse|soldier|spy|thief|journalist|lawyer|writer|painter|singer|"
    "boxer|hitman|assassin|ghost|robot|vampire|zombie|witch|alien|monster|dog|cat|horse|shark|"
    "dragon|pirate|cowboy|ninja|samurai|king|queen|princess|scientist|priest|agent|wife|husband",
    "|",
)

FAMILY = words("father mother son daughter brother sister husband wife")

COMPANY_WORDS = words(
    "Golden|Silver|Lion|Eagle|Northern|Pacific|Atlantic|Red Rock|Blue Sky|Crescent|Summit|Harbor|"
    "Meridian|Phoenix|Orion|Starlight|Highland|Lantern|Cobalt|Ember|Granite|Falcon|Liberty|Regal|"
    "Apex|Beacon|Cascade|Evergreen|Ironwood|Juniper|Keystone|Maple|Nimbus|Oakridge|Pinnacle",
    "|",
)

COMPANY_SUFFIXES = words(
    "Pictures|Films|Productions|Entertainment|Studios|Film Group|Media|Film Company|Cinema|"
    "Filmproduktion|Producciones|Film Corporation|Features|Motion Pictures|Filmes|Animation",
    "|",
)

ODD_COMPANIES = words(
    "Butcher's Run Films|Société Nouvelle de Cinématographie|Filmproduktion Köln|"
    "Producciones Cinematográficas Águila|東宝映画|Киностудия Север|Zoë's Barn Films|"
    "Compagnie Française du Cinéma|Shōchiku Ōfuna|Nordisk Film Å/S",
    "|",
)
