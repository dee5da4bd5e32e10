//! The curated gazetteer: well-known countries, cities, organisations,
//! agencies, groups and people, plus the closed word classes the rules use
//! (titles, roles, speech verbs). Users extend it with `[[annotate.entities]]`.

/// A country: name, demonyms, other names, capital, name of its army.
pub struct Country {
    pub name: &'static str,
    pub demonyms: &'static [&'static str],
    pub aliases: &'static [&'static str],
    pub capital: &'static str,
    /// The army's usual English name; empty means "<Demonym> army".
    pub army: &'static str,
}

macro_rules! c {
    ($n:expr, [$($d:expr),*], [$($a:expr),*], $cap:expr, $army:expr) => {
        Country { name: $n, demonyms: &[$($d),*], aliases: &[$($a),*], capital: $cap, army: $army }
    };
}

pub const COUNTRIES: &[Country] = &[
    c!("Syria", ["Syrian", "Syrians"], [], "Damascus", "Syrian Arab Army"),
    c!("Russia", ["Russian", "Russians"], ["Russian Federation"], "Moscow", ""),
    c!("Turkey", ["Turkish", "Turks"], ["Türkiye"], "Ankara", ""),
    c!("Iran", ["Iranian", "Iranians"], [], "Tehran", ""),
    c!("Iraq", ["Iraqi", "Iraqis"], [], "Baghdad", ""),
    c!("Lebanon", ["Lebanese"], [], "Beirut", ""),
    c!("Israel", ["Israeli", "Israelis"], [], "Jerusalem", "Israel Defense Forces"),
    c!("Jordan", ["Jordanian", "Jordanians"], [], "Amman", ""),
    c!("Egypt", ["Egyptian", "Egyptians"], [], "Cairo", ""),
    c!("Saudi Arabia", ["Saudi", "Saudis"], [], "Riyadh", ""),
    c!("Qatar", ["Qatari"], [], "Doha", ""),
    c!("United Arab Emirates", ["Emirati"], ["UAE"], "Abu Dhabi", ""),
    c!("Yemen", ["Yemeni", "Yemenis"], [], "Sanaa", ""),
    c!("Libya", ["Libyan", "Libyans"], [], "Tripoli", ""),
    c!("Tunisia", ["Tunisian"], [], "Tunis", ""),
    c!("Algeria", ["Algerian"], [], "Algiers", ""),
    c!("Morocco", ["Moroccan"], [], "Rabat", ""),
    c!("Afghanistan", ["Afghan", "Afghans"], [], "Kabul", ""),
    c!("Pakistan", ["Pakistani", "Pakistanis"], [], "Islamabad", ""),
    c!("India", ["Indian", "Indians"], [], "New Delhi", ""),
    c!("China", ["Chinese"], [], "Beijing", ""),
    c!("Japan", ["Japanese"], [], "Tokyo", ""),
    c!("North Korea", ["North Korean"], [], "Pyongyang", ""),
    c!("South Korea", ["South Korean"], [], "Seoul", ""),
    c!("United States", ["American", "Americans"], ["US", "U.S.", "USA", "U.S.A.", "United States of America", "America"], "Washington", "US Army"),
    c!("Canada", ["Canadian", "Canadians"], [], "Ottawa", ""),
    c!("Mexico", ["Mexican"], [], "Mexico City", ""),
    c!("Brazil", ["Brazilian"], [], "Brasilia", ""),
    c!("Argentina", ["Argentine", "Argentinian"], [], "Buenos Aires", ""),
    c!("United Kingdom", ["British", "Briton", "Britons"], ["UK", "U.K.", "Britain", "Great Britain"], "London", "British Army"),
    c!("Ireland", ["Irish"], ["Republic of Ireland"], "Dublin", ""),
    c!("France", ["French"], [], "Paris", ""),
    c!("Germany", ["German", "Germans"], [], "Berlin", ""),
    c!("Italy", ["Italian", "Italians"], [], "Rome", ""),
    c!("Spain", ["Spanish"], [], "Madrid", ""),
    c!("Portugal", ["Portuguese"], [], "Lisbon", ""),
    c!("Netherlands", ["Dutch"], ["Holland"], "Amsterdam", ""),
    c!("Belgium", ["Belgian"], [], "Brussels", ""),
    c!("Switzerland", ["Swiss"], [], "Bern", ""),
    c!("Austria", ["Austrian"], [], "Vienna", ""),
    c!("Sweden", ["Swedish"], [], "Stockholm", ""),
    c!("Norway", ["Norwegian"], [], "Oslo", ""),
    c!("Denmark", ["Danish"], [], "Copenhagen", ""),
    c!("Finland", ["Finnish"], [], "Helsinki", ""),
    c!("Poland", ["Polish"], [], "Warsaw", ""),
    c!("Ukraine", ["Ukrainian", "Ukrainians"], [], "Kiev", ""),
    c!("Greece", ["Greek"], [], "Athens", ""),
    c!("Cyprus", ["Cypriot"], [], "Nicosia", ""),
    c!("Australia", ["Australian", "Australians"], [], "Canberra", ""),
    c!("New Zealand", [], [], "Wellington", ""),
    c!("South Africa", ["South African"], [], "Pretoria", ""),
    c!("Nigeria", ["Nigerian"], [], "Abuja", ""),
    c!("Kenya", ["Kenyan"], [], "Nairobi", ""),
    c!("Ethiopia", ["Ethiopian"], [], "Addis Ababa", ""),
    c!("Sudan", ["Sudanese"], [], "Khartoum", ""),
    c!("Somalia", ["Somali"], [], "Mogadishu", ""),
    c!("Rwanda", ["Rwandan"], [], "Kigali", ""),
    c!("Bosnia", ["Bosnian"], ["Bosnia and Herzegovina"], "Sarajevo", ""),
    c!("Serbia", ["Serbian", "Serb", "Serbs"], [], "Belgrade", ""),
    c!("Chechnya", ["Chechen"], [], "Grozny", ""),
    c!("Kuwait", ["Kuwaiti"], [], "Kuwait City", ""),
    c!("Bahrain", ["Bahraini"], [], "Manama", ""),
    c!("Oman", ["Omani"], [], "Muscat", ""),
    c!("Palestine", ["Palestinian", "Palestinians"], ["Palestinian territories"], "Ramallah", ""),
];

/// Cities and towns not listed as capitals above, with their country.
pub const CITIES: &[(&str, &str)] = &[
    ("Aleppo", "Syria"), ("Homs", "Syria"), ("Hama", "Syria"), ("Idlib", "Syria"), ("Raqqa", "Syria"),
    ("Deir ez-Zor", "Syria"), ("Deir al-Zor", "Syria"), ("Daraa", "Syria"), ("Latakia", "Syria"), ("Tartus", "Syria"),
    ("Palmyra", "Syria"), ("Kobani", "Syria"), ("Manbij", "Syria"), ("Douma", "Syria"), ("Ghouta", "Syria"),
    ("Qamishli", "Syria"), ("Hasakah", "Syria"), ("Afrin", "Syria"), ("Jarablus", "Syria"), ("Madaya", "Syria"),
    ("Mosul", "Iraq"), ("Basra", "Iraq"), ("Fallujah", "Iraq"), ("Ramadi", "Iraq"), ("Kirkuk", "Iraq"), ("Erbil", "Iraq"),
    ("Halabja", "Iraq"), ("Istanbul", "Turkey"), ("Gaziantep", "Turkey"), ("Izmir", "Turkey"), ("Antalya", "Turkey"),
    ("St Petersburg", "Russia"), ("Sochi", "Russia"), ("Stalingrad", "Russia"), ("Volgograd", "Russia"),
    ("Geneva", "Switzerland"), ("Zurich", "Switzerland"), ("Davos", "Switzerland"), ("New York", "United States"),
    ("Los Angeles", "United States"), ("Chicago", "United States"), ("San Francisco", "United States"),
    ("Boston", "United States"), ("Seattle", "United States"), ("Miami", "United States"), ("Houston", "United States"),
    ("Silicon Valley", "United States"), ("Manchester", "United Kingdom"), ("Birmingham", "United Kingdom"),
    ("Liverpool", "United Kingdom"), ("Leeds", "United Kingdom"), ("Glasgow", "United Kingdom"),
    ("Edinburgh", "United Kingdom"), ("Cardiff", "United Kingdom"), ("Belfast", "United Kingdom"),
    ("Bristol", "United Kingdom"), ("Newcastle", "United Kingdom"), ("Oxford", "United Kingdom"),
    ("Cambridge", "United Kingdom"), ("Munich", "Germany"), ("Frankfurt", "Germany"), ("Hamburg", "Germany"),
    ("Milan", "Italy"), ("Barcelona", "Spain"), ("Lyon", "France"), ("Marseille", "France"), ("Shanghai", "China"),
    ("Hong Kong", "China"), ("Mumbai", "India"), ("Dubai", "United Arab Emirates"), ("Jeddah", "Saudi Arabia"),
    ("Mecca", "Saudi Arabia"), ("Aden", "Yemen"), ("Benghazi", "Libya"), ("Gaza", "Palestine"),
    ("Tel Aviv", "Israel"), ("Haifa", "Israel"), ("Kandahar", "Afghanistan"), ("Karachi", "Pakistan"),
    ("Lahore", "Pakistan"), ("Srebrenica", "Bosnia"), ("Guernica", "Spain"), ("Sydney", "Australia"),
    ("Melbourne", "Australia"), ("Toronto", "Canada"), ("Johannesburg", "South Africa"),
];

/// Kind of a gazetteer entry.
pub const PERSON: &str = "person";
pub const ORG: &str = "organisation";
pub const PLACE: &str = "place";
pub const GROUP: &str = "group";

/// An organisation, agency, group or person: canonical name, kind, aliases
/// always matched, and short aliases matched only in articles of an archive
/// that also names the entity in full.
pub struct Known {
    pub name: &'static str,
    pub kind: &'static str,
    pub aliases: &'static [&'static str],
    pub short: &'static [&'static str],
    /// Country a person leads or an institution belongs to (for "X regime").
    pub country: &'static str,
    /// A news agency or media outlet (a source that relays statements).
    pub media: bool,
}

macro_rules! k {
    ($n:expr, $k:expr, [$($a:expr),*], [$($s:expr),*]) => {
        Known { name: $n, kind: $k, aliases: &[$($a),*], short: &[$($s),*], country: "", media: false }
    };
    ($n:expr, $k:expr, [$($a:expr),*], [$($s:expr),*], $c:expr) => {
        Known { name: $n, kind: $k, aliases: &[$($a),*], short: &[$($s),*], country: $c, media: false }
    };
}
macro_rules! m {
    ($n:expr, [$($a:expr),*]) => {
        Known { name: $n, kind: ORG, aliases: &[$($a),*], short: &[], country: "", media: true }
    };
}

pub const KNOWN: &[Known] = &[
    // News agencies and outlets.
    m!("AFP", ["Agence France-Presse", "Agence France Presse", "AFP news agency"]),
    m!("Reuters", ["Reuters news agency", "Thomson Reuters"]),
    m!("Associated Press", ["AP", "the Associated Press", "AP news agency"]),
    m!("BBC", ["British Broadcasting Corporation", "BBC News"]),
    m!("CNN", []),
    m!("Al Jazeera", ["Al-Jazeera", "Aljazeera"]),
    m!("Al Arabiya", ["Al-Arabiya"]),
    m!("SANA", ["Syrian Arab News Agency"]),
    m!("TASS", ["Tass"]),
    m!("RIA Novosti", ["RIA"]),
    m!("Interfax", []),
    m!("Anadolu Agency", ["Anadolu"]),
    m!("Sputnik", []),
    m!("Xinhua", ["Xinhua news agency"]),
    m!("Bloomberg", []),
    m!("Press Association", ["PA"]),
    m!("The New York Times", ["New York Times"]),
    m!("The Washington Post", ["Washington Post"]),
    m!("The Guardian", []),
    m!("Financial Times", ["FT"]),
    m!("The Wall Street Journal", ["Wall Street Journal"]),
    m!("Aleppo Media Centre", ["Aleppo Media Center"]),
    // Monitors, NGOs and international bodies.
    k!("Syrian Observatory for Human Rights", ORG, ["SOHR", "Syrian Observatory"], ["Observatory"]),
    k!("White Helmets", ORG, ["Syrian Civil Defence", "Syrian Civil Defense", "Syria Civil Defence"], []),
    k!("United Nations", ORG, ["UN", "U.N."], []),
    k!("UN Security Council", ORG, ["U.N. Security Council", "United Nations Security Council"], ["Security Council"]),
    k!("UN General Assembly", ORG, ["U.N. General Assembly", "United Nations General Assembly"], ["General Assembly"]),
    k!("UNHCR", ORG, ["UN refugee agency", "U.N. refugee agency"], []),
    k!("UNICEF", ORG, ["Unicef"], []),
    k!("OCHA", ORG, ["UN Office for the Coordination of Humanitarian Affairs"], []),
    k!("World Health Organization", ORG, ["WHO", "World Health Organisation"], []),
    k!("World Food Programme", ORG, ["WFP"], []),
    k!("International Committee of the Red Cross", ORG, ["ICRC"], ["Red Cross"]),
    k!("Syrian Arab Red Crescent", ORG, ["SARC"], ["Red Crescent"]),
    k!("Médecins Sans Frontières", ORG, ["MSF", "Doctors Without Borders", "Medecins Sans Frontieres"], []),
    k!("Amnesty International", ORG, [], ["Amnesty"]),
    k!("Human Rights Watch", ORG, ["HRW"], []),
    k!("NATO", ORG, ["Nato", "North Atlantic Treaty Organization"], []),
    k!("European Union", ORG, ["EU", "E.U."], []),
    k!("European Commission", ORG, [], []),
    k!("European Parliament", ORG, [], []),
    k!("Arab League", ORG, [], []),
    k!("International Monetary Fund", ORG, ["IMF"], []),
    k!("World Bank", ORG, [], []),
    k!("World Trade Organization", ORG, ["WTO"], []),
    k!("International Criminal Court", ORG, ["ICC"], []),
    k!("Kremlin", ORG, ["the Kremlin"], [], "Russia"),
    k!("White House", ORG, ["the White House"], [], "United States"),
    k!("Pentagon", ORG, ["the Pentagon"], [], "United States"),
    k!("US State Department", ORG, ["State Department", "the State Department"], [], "United States"),
    k!("Downing Street", ORG, [], [], "United Kingdom"),
    k!("Labour Party", ORG, ["Labour"], [], "United Kingdom"),
    k!("Conservative Party", ORG, ["Conservatives", "Tories", "Tory party"], [], "United Kingdom"),
    k!("Liberal Democrats", ORG, ["Lib Dems", "Liberal Democrat party"], [], "United Kingdom"),
    k!("UK Independence Party", ORG, ["UKIP", "Ukip"], [], "United Kingdom"),
    k!("Scottish National Party", ORG, ["SNP"], [], "United Kingdom"),
    k!("House of Commons", ORG, ["the Commons"], [], "United Kingdom"),
    k!("House of Lords", ORG, ["the Lords"], [], "United Kingdom"),
    k!("Bank of England", ORG, [], [], "United Kingdom"),
    k!("High Negotiations Committee", ORG, ["HNC"], []),
    // Armed groups and blocs.
    k!("Islamic State", GROUP, ["IS", "ISIS", "ISIL", "Daesh", "Islamic State group"], []),
    k!("Jabhat Fateh al-Sham", GROUP, ["al-Nusra Front", "Nusra Front", "Jabhat al-Nusra", "al-Nusra"], []),
    k!("Free Syrian Army", GROUP, ["FSA"], []),
    k!("Hezbollah", GROUP, ["Hizbollah", "Hizbullah"], []),
    k!("Ahrar al-Sham", GROUP, [], []),
    k!("Nureddin al-Zinki", GROUP, ["Nour al-Din al-Zinki", "Nureddin al-Zinki rebel group"], []),
    k!("YPG", GROUP, ["People's Protection Units", "People’s Protection Units"], []),
    k!("Syrian Democratic Forces", GROUP, ["SDF"], []),
    k!("al-Qaeda", GROUP, ["al-Qaida", "Al-Qaeda", "Al Qaeda"], []),
    k!("Taliban", GROUP, ["the Taliban"], []),
    k!("Shi'ite militias", GROUP, ["Shi’ite militias", "Shi’ite militia fighters", "Shi'ite militia fighters", "Shia militias", "Shiite militias", "Shi’ite militia", "Shi'ite militia"], []),
    k!("Kurdish fighters", GROUP, ["Kurdish militia", "Kurdish forces"], []),
    k!("the West", GROUP, ["Western powers", "Western countries", "Western nations", "Western governments", "the west’s", "the west's"], []),
    // Leaders and envoys well known enough to be named by surname alone.
    k!("Bashar al-Assad", PERSON, ["Bashar Al-Assad", "Bashar Assad", "President Assad"], ["Assad"], "Syria"),
    k!("Vladimir Putin", PERSON, ["President Putin"], ["Putin"], "Russia"),
    k!("Recep Tayyip Erdogan", PERSON, ["Recep Tayyip Erdoğan", "Tayyip Erdogan", "President Erdogan"], ["Erdogan", "Erdoğan"], "Turkey"),
    k!("Barack Obama", PERSON, ["President Obama"], ["Obama"], "United States"),
    k!("Donald Trump", PERSON, ["President Trump"], ["Trump"], "United States"),
    k!("Hassan Rouhani", PERSON, [], ["Rouhani"], "Iran"),
    k!("Ali Khamenei", PERSON, ["Ayatollah Ali Khamenei", "Ayatollah Khamenei"], ["Khamenei"], "Iran"),
    k!("Saddam Hussein", PERSON, [], ["Saddam"], "Iraq"),
    k!("Muammar Gaddafi", PERSON, ["Colonel Gaddafi"], ["Gaddafi"], "Libya"),
    k!("Benjamin Netanyahu", PERSON, [], ["Netanyahu"], "Israel"),
    k!("Ban Ki-moon", PERSON, [], [], ""),
    k!("Sergei Lavrov", PERSON, ["Sergey Lavrov"], ["Lavrov"], ""),
    k!("John Kerry", PERSON, [], ["Kerry"], ""),
    k!("Staffan de Mistura", PERSON, [], ["de Mistura"], ""),
    k!("Tony Blair", PERSON, [], ["Blair"], "United Kingdom"),
    k!("Gordon Brown", PERSON, [], [], "United Kingdom"),
    k!("Angela Merkel", PERSON, [], ["Merkel"], "Germany"),
];

/// Words that, before a capitalised name, make it a person (matched as
/// whole words; multi-word titles are matched by their last word).
pub const TITLES: &[&str] = &[
    "President", "Prime Minister", "Minister", "Secretary", "Chancellor", "King", "Queen", "Prince", "Princess",
    "Sheikh", "General", "Gen", "Gen.", "Lieutenant", "Colonel", "Col", "Col.", "Major", "Captain", "Commander",
    "Admiral", "Brigadier", "Sergeant", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sir", "Lord", "Lady",
    "Dame", "Senator", "Sen.", "Rep.", "Representative", "Governor", "Mayor", "Judge", "Justice", "Pope",
    "Cardinal", "Archbishop", "Bishop", "Imam", "Ayatollah", "Emir", "Sultan", "Ambassador", "Envoy", "Director",
    "Chairman", "Chairwoman", "Spokesman", "Spokeswoman", "Professor", "Prof", "Prof.", "Deputy", "Vice",
    "Inspector", "Chief", "Detective", "Constable", "Superintendent", "Councillor", "MP", "MEP", "Coach",
];

/// Lower-case role nouns: "UN envoy X", "Observatory director X".
pub const ROLES: &[&str] = &[
    "president", "minister", "secretary", "chancellor", "director", "envoy", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "chief", "leader", "adviser", "advisor", "expert", "analyst", "official",
    "counterpart", "commander", "general", "head", "chairman", "chairwoman", "founder", "executive", "boss",
    "manager", "coach", "captain", "striker", "player", "economist", "professor", "researcher", "correspondent",
    "reporter", "journalist", "editor", "activist", "lawyer", "judge", "mayor", "governor", "senator", "premier",
    "negotiator", "co-ordinator", "coordinator", "representative", "mediator", "colonel", "lieutenant", "deputy",
    "secretary-general", "campaigner", "singer", "actor", "actress", "star", "designer", "founder", "owner",
    "doctor", "surgeon", "resident", "witness", "monitor", "source", "sources", "officials", "residents",
];

/// Head words that end organisation names ("High Negotiations Committee").
pub const ORG_HEADS: &[&str] = &[
    "Council", "Committee", "Commission", "Organisation", "Organization", "Organisations", "Organizations",
    "Union", "Observatory", "Association", "Front", "Army", "Party", "Agency", "Office", "Bank", "Fund", "Court",
    "Institute", "University", "Society", "League", "Movement", "Federation", "Coalition", "Forces", "Network",
    "Centre", "Center", "Department", "Ministry", "Authority", "Assembly", "Parliament", "Corporation", "Group",
    "Foundation", "Trust", "Board", "Brigade", "Brigades", "Battalion", "Division", "Service", "Services",
    "Company", "Bureau", "Alliance", "Club", "Academy", "School", "College", "Hospital", "Police", "Guard",
    "Inc", "Ltd", "plc", "Co", "Corp", "Industries", "Airlines", "Airways", "Group", "Unit", "Units",
];

/// Capitalised words that never start or make a name on their own.
pub const NOT_NAMES: &[&str] = &[
    "The", "A", "An", "And", "But", "Or", "If", "In", "On", "At", "By", "For", "From", "To", "Of", "With", "As",
    "It", "Its", "He", "She", "They", "We", "I", "You", "His", "Her", "Their", "Our", "My", "Your", "This",
    "That", "These", "Those", "There", "Here", "What", "When", "Where", "Who", "Why", "How", "While", "After",
    "Before", "During", "Since", "Until", "Although", "Though", "However", "Meanwhile", "Also", "Yet", "So",
    "Such", "Some", "Many", "Most", "More", "All", "Both", "Each", "Every", "Other", "Another", "No", "Not",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "According", "Despite", "Around", "About", "Over", "Under", "Now", "Then", "Today", "Tonight", "Yesterday",
    "Tomorrow", "Capturing", "Said", "Asked", "Like", "Unlike", "Even", "Just", "Only", "Once", "Than", "Through",
    "Between", "Among", "Against", "Without", "Within", "Into", "Upon", "Via", "Per", "Time", "Fall", "Reports",
    "Rebels", "Civilians", "Government", "Regime", "Forces", "Sources", "Residents", "Officials", "People",
    "Western", "Eastern", "Northern", "Southern", "East", "West", "North", "South", "Old", "New", "Mr", "Ms",
];

/// Speech and report verbs that make an attribution cue; `true` marks a
/// verb that is said of a quotation (a quote's speaker can be its subject).
pub const SPEECH_VERBS: &[&str] = &[
    "said", "says", "say", "told", "tells", "tell", "added", "adds", "warned", "warns", "warning", "confirmed",
    "confirms", "reported", "reports", "stated", "states", "announced", "announces", "claimed", "claims", "claim",
    "argued", "argues", "insisted", "insists", "insisting", "accused", "accuses", "accusing", "described",
    "describes", "called", "calls", "calling", "demanded", "demands", "vowed", "vows", "believe", "believes",
    "maintain", "maintains", "hinted", "hints", "denied", "denies", "explained", "explains", "noted", "notes",
    "urged", "urges", "stressed", "stresses", "asked", "asks", "replied", "wrote", "writes", "acknowledged",
    "admitted", "admits", "declared", "declares", "condemned", "condemns", "voiced", "expressed", "estimated",
    "estimates", "predicted", "promised", "pledged", "threatened", "suggested", "suggests", "commented",
    "continued", "concluded", "recalled", "quoted", "cited", "disclosed", "revealed", "alleges",
    "dismissed", "welcomed", "criticised", "criticized", "complained", "appealed", "telling",
    "saying", "stating", "adding", "arguing", "explaining",
];

/// Verbs that introduce a quotation in "what X described as “...”" and the like.
pub fn introduces_quote(verb: &str) -> bool {
    !matches!(verb, "condemned" | "condemns" | "rejected" | "welcomed" | "dismissed" | "continued")
}
