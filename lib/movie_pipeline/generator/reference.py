"""Fixed vocabularies of The Movies Dataset: TMDB genres, countries, languages, crew jobs, statuses.

Weights are approximate counts in the full original files (FORMAT.md and public write-ups); the
generator only uses their proportions.
"""

from __future__ import annotations

from .names import words

# TMDB genre ids and names (the real ones), weighted by how often each occurs in movies_metadata.
GENRES: tuple[tuple[int, str, int], ...] = (
    (18, "Drama", 20265), (35, "Comedy", 13182), (53, "Thriller", 7624),
    (10749, "Romance", 6735), (28, "Action", 6596), (27, "Horror", 4673), (80, "Crime", 4307),
    (99, "Documentary", 3932), (12, "Adventure", 3496), (878, "Science Fiction", 3049),
    (10751, "Family", 2770), (9648, "Mystery", 2467), (14, "Fantasy", 2313),
    (16, "Animation", 1935), (10769, "Foreign", 1622), (10402, "Music", 1598),
    (36, "History", 1398), (10752, "War", 1323), (37, "Western", 1042), (10770, "TV Movie", 767),
)  # fmt: skip

# (ISO 3166-1 code, TMDB's English name, weight); TMDB keeps historical codes such as SU and XC.
COUNTRIES: tuple[tuple[str, str, int], ...] = tuple(
    (code, name, int(weight))
    for code, name, weight in (
        row.split(":")
        for row in words(
            "US:United States of America:21153|GB:United Kingdom:4094|FR:France:3940|"
            "DE:Germany:2254|IT:Italy:2169|CA:Canada:1765|JP:Japan:1648|ES:Spain:964|"
            "RU:Russia:912|IN:India:828|HK:Hong Kong:596|SE:Sweden:576|AU:Australia:575|"
            "KR:South Korea:554|BE:Belgium:440|DK:Denmark:403|FI:Finland:382|CN:China:377|"
            "NL:Netherlands:362|MX:Mexico:330|CH:Switzerland:287|AT:Austria:250|BR:Brazil:250|"
            "AR:Argentina:237|IE:Ireland:233|NO:Norway:200|PL:Poland:196|HU:Hungary:160|"
            "CZ:Czech Republic:150|TR:Turkey:150|IR:Iran:120|SU:Soviet Union:120|"
            "NZ:New Zealand:100|TW:Taiwan:100|PT:Portugal:90|TH:Thailand:80|ZA:South Africa:80|"
            "IL:Israel:70|GR:Greece:70|PH:Philippines:60|XC:Czechoslovakia:50|RO:Romania:50|"
            "YU:Yugoslavia:40|IS:Iceland:40|LU:Luxembourg:40|CL:Chile:30|CO:Colombia:30|"
            "EG:Egypt:25|ID:Indonesia:20|BG:Bulgaria:20|RS:Serbia:20|HR:Croatia:18|UA:Ukraine:15|"
            "SG:Singapore:15|MY:Malaysia:12|PE:Peru:12|CU:Cuba:12|EE:Estonia:10|SK:Slovakia:10|"
            "VN:Vietnam:8|VE:Venezuela:8|MA:Morocco:8|BA:Bosnia and Herzegovina:6|LT:Lithuania:6|"
            "SI:Slovenia:6|UY:Uruguay:6|CS:Serbia and Montenegro:5|MK:Macedonia:5|GE:Georgia:5|"
            "KZ:Kazakhstan:5|LB:Lebanon:5|DO:Dominican Republic:5|TN:Tunisia:5|NG:Nigeria:5|"
            "CI:Cote D'Ivoire:4|SN:Senegal:4|PK:Pakistan:4|BF:Burkina Faso:3|JM:Jamaica:3|"
            "NP:Nepal:3|EC:Ecuador:3|BT:Bhutan:2|BS:Bahamas:2|BW:Botswana:2|CM:Cameroon:2|"
            "NA:Namibia:2|CD:Congo:2|TT:Trinidad and Tobago:2|LI:Liechtenstein:2|AW:Aruba:1",
            "|",
        )
    )
)

# (ISO 639-1 code, TMDB's native name ('' for some codes), weight as original_language,
#  weight as an extra spoken language). 'cn' (Cantonese) and 'xx' are TMDB's own codes.
LANGUAGES: tuple[tuple[str, str, int, int], ...] = (
    ("en", "English", 32269, 3000), ("fr", "Français", 2438, 700), ("it", "Italiano", 1529, 330),
    ("ja", "日本語", 1350, 120), ("de", "Deutsch", 1080, 450), ("es", "Español", 994, 600),
    ("ru", "Pусский", 826, 250), ("hi", "हिन्दी", 508, 40), ("ko", "한국어/조선말", 444, 30),
    ("zh", "普通话", 409, 110), ("sv", "svenska", 384, 40), ("pt", "Português", 316, 70),
    ("cn", "广州话 / 廣州話", 313, 60), ("fi", "suomi", 297, 15), ("nl", "Nederlands", 248, 30),
    ("da", "Dansk", 225, 20), ("pl", "Polski", 219, 50), ("tr", "Türkçe", 150, 15),
    ("cs", "Český", 130, 45), ("el", "ελληνικά", 113, 25), ("no", "Norsk", 107, 15),
    ("hu", "Magyar", 103, 60), ("fa", "فارسی", 101, 20), ("xx", "No Language", 199, 10),
    ("ta", "தமிழ்", 78, 5), ("th", "ภาษาไทย", 76, 20), ("he", "עִבְרִית", 65, 25),
    ("ro", "Română", 57, 10), ("te", "తెలుగు", 45, 3), ("ar", "العربية", 39, 45),
    ("sr", "Srpski", 38, 10), ("ml", "", 36, 2), ("bn", "বাংলা", 30, 3),
    ("id", "Bahasa indonesia", 30, 5), ("et", "Eesti", 24, 3), ("vi", "Tiếng Việt", 12, 25),
    ("uk", "Український", 10, 5), ("bs", "Bosanski", 8, 6), ("is", "Íslenska", 8, 3),
    ("ca", "Català", 7, 5), ("sk", "Slovenčina", 6, 5), ("la", "Latin", 0, 50),
    ("yi", "", 0, 18), ("gd", "", 0, 10), ("sh", "", 2, 5), ("mk", "", 2, 3), ("mn", "", 1, 2),
    ("tl", "", 3, 3), ("bo", "", 1, 4), ("ga", "Gaeilge", 1, 6), ("cy", "Cymraeg", 2, 3),
    ("af", "Afrikaans", 2, 6), ("sw", "Kiswahili", 0, 6), ("sq", "shqip", 1, 5),
    ("hr", "Hrvatski", 3, 4), ("eo", "Esperanto", 0, 2), ("ur", "اردو", 1, 3),
    ("ka", "ქართული", 2, 2), ("wo", "Wolof", 1, 1), ("nb", "Bokmål", 1, 1), ("ms", "Bahasa melayu", 2, 3),
)  # fmt: skip
LANGUAGE_NAMES = {code: name for code, name, _, _ in LANGUAGES}

# Crew (department, job, weight) besides the director, who is drawn separately.
JOBS: tuple[tuple[str, str, int], ...] = tuple(
    (dept, job, int(weight))
    for dept, job, weight in (
        row.split(":")
        for row in words(
            "Production:Producer:80|Writing:Screenplay:55|Writing:Writer:45|Editing:Editor:45|"
            "Camera:Director of Photography:42|Sound:Original Music Composer:38|"
            "Production:Executive Producer:35|Production:Casting:25|Art:Production Design:18|"
            "Writing:Novel:12|Art:Art Direction:18|Art:Set Decoration:17|"
            "Costume & Make-Up:Costume Design:18|Costume & Make-Up:Makeup Artist:15|"
            "Sound:Sound Re-Recording Mixer:12|Camera:Camera Operator:12|Crew:Stunts:12|"
            "Visual Effects:Animation:10|Costume & Make-Up:Hairstylist:10|"
            "Directing:Script Supervisor:8|Production:Co-Producer:8|Production:Associate Producer:6|"
            "Writing:Story:6|Writing:Characters:4|Writing:Original Story:4|Sound:Music:9|"
            "Sound:Supervising Sound Editor:7|Sound:Sound Effects Editor:6|Editing:Dialogue Editor:6|"
            "Sound:Foley:5|Camera:Still Photographer:7|Costume & Make-Up:Costume Supervisor:5|"
            "Crew:Special Effects:6|Visual Effects:Visual Effects Supervisor:4|"
            "Visual Effects:Visual Effects:4|Directing:First Assistant Director:4|Lighting:Gaffer:4|"
            "Lighting:Electrician:3|Camera:Grip:3|Camera:Steadicam Operator:3|"
            "Production:Location Manager:4|Production:Production Manager:4|"
            "Production:Unit Production Manager:3|Production:Production Coordinator:4|"
            "Crew:Stunt Coordinator:4|Crew:Choreographer:2|Crew:Carpenter:3|Art:Set Designer:3|"
            "Art:Assistant Art Director:3|Art:Construction Coordinator:3|Art:Set Dresser:3|"
            "Sound:Music Editor:3|Sound:Music Supervisor:4|Sound:Boom Operator:2|"
            "Sound:Sound Designer:3|Sound:ADR Editor:2|Sound:Foley Editor:2|"
            "Editing:First Assistant Editor:3|Editing:Assistant Editor:3|Editing:Color Timer:2|"
            "Editing:Negative Cutter:1|Visual Effects:Digital Compositors:2|"
            "Visual Effects:Character Designer:1|Crew:Special Effects Coordinator:2|"
            "Crew:Unit Publicist:2|Crew:Craft Service:1|Lighting:Lighting Technician:2|"
            "Costume & Make-Up:Key Hair Stylist:2|Costume & Make-Up:Set Costumer:2|"
            "Costume & Make-Up:Assistant Costume Designer:2|Production:Casting Associate:2|"
            "Crew:Post Production Assistant:1|Art:Leadman:1|Writing:Teleplay:1|Writing:Author:2|"
            "Production:Producer's Assistant:1|Directing:Assistant Director:2",
            "|",
        )
    )
)

# status value: count in the full movies_metadata.csv ('' = empty field).
STATUSES: dict[str, int] = {
    "Released": 45014, "Rumored": 230, "Post Production": 98, "In Production": 20,
    "Planned": 15, "Canceled": 2, "": 87,
}  # fmt: skip
