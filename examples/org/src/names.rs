//! The words the organisation is made of: people's names, places, the
//! companies it deals with and the sites its devices reach.

/// Given names.
pub const FIRST: [&str; 64] = [
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isabella",
    "Lucas",
    "Mia",
    "Logan",
    "Amelia",
    "James",
    "Harper",
    "Aiden",
    "Evelyn",
    "Elijah",
    "Abigail",
    "Benjamin",
    "Emily",
    "Jacob",
    "Ella",
    "Michael",
    "Avery",
    "Daniel",
    "Scarlett",
    "Henry",
    "Grace",
    "Jackson",
    "Chloe",
    "Samuel",
    "Victoria",
    "Sebastian",
    "Riley",
    "David",
    "Aria",
    "Carter",
    "Lily",
    "Wyatt",
    "Aubrey",
    "Owen",
    "Zoey",
    "Julian",
    "Nora",
    "Levi",
    "Hannah",
    "Isaac",
    "Addison",
    "Gabriel",
    "Leah",
    "Anthony",
    "Stella",
    "Dylan",
    "Natalie",
    "Luke",
    "Maya",
    "Andrew",
    "Lucy",
    "Joshua",
    "Claire",
    "Nathan",
    "Ruby",
    "Caleb",
];

/// Family names.
pub const LAST: [&str; 64] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
];

/// A place people log in from: city, region, ISO country, latitude,
/// longitude.
pub type Place = (&'static str, &'static str, &'static str, f64, f64);

/// The offices: where most people work, with the address their traffic
/// leaves from.
pub const OFFICES: [(Place, &str); 4] = [
    (
        ("Chicago", "Illinois", "US", 41.8781, -87.6298),
        "198.51.100.10",
    ),
    (
        ("New York", "New York", "US", 40.7128, -74.006),
        "198.51.100.40",
    ),
    (
        ("Austin", "Texas", "US", 30.2672, -97.7431),
        "198.51.100.70",
    ),
    (
        ("London", "England", "GB", 51.5072, -0.1276),
        "203.0.113.20",
    ),
];

/// Share of the staff in each office, in percent (the rest of 100 is the
/// last office).
pub const OFFICE_SHARE: [u32; 3] = [55, 25, 12];

/// Where people travel to, and how many hours the flight takes from the
/// US at least.
pub const DESTINATIONS: [(Place, u32); 6] = [
    (("Toronto", "Ontario", "CA", 43.6532, -79.3832), 3),
    (("Mexico City", "CDMX", "MX", 19.4326, -99.1332), 5),
    (("Paris", "Ile-de-France", "FR", 48.8566, 2.3522), 10),
    (("Berlin", "Berlin", "DE", 52.52, 13.405), 11),
    (("Tokyo", "Tokyo", "JP", 35.6762, 139.6503), 14),
    (("Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333), 11),
];

/// Companies the organisation deals with: their mail domains.
pub const PARTNERS: [&str; 24] = [
    "fabrikam.com",
    "adatum.com",
    "litware.com",
    "tailspintoys.com",
    "wingtiptoys.com",
    "proseware.com",
    "lucernepublishing.com",
    "woodgrovebank.com",
    "relecloud.com",
    "alpineskihouse.com",
    "margiestravel.com",
    "treyresearch.net",
    "wideworldimporters.com",
    "fourthcoffee.com",
    "northwindtraders.com",
    "graphicdesigninstitute.com",
    "humongousinsurance.com",
    "blueyonderairlines.com",
    "cohowinery.com",
    "consolidatedmessenger.com",
    "southridgevideo.com",
    "bellowscollege.com",
    "fineartschool.net",
    "schoolofartsandcrafts.com",
];

/// Newsletters and services that mail everyone, with the site their
/// links go to.
pub const NEWSLETTERS: [(&str, &str); 8] = [
    ("news@linkedin.com", "www.linkedin.com"),
    ("noreply@github.com", "github.com"),
    ("updates@zoom.us", "zoom.us"),
    ("digest@medium.com", "medium.com"),
    ("no-reply@slack.com", "slack.com"),
    ("newsletter@nytimes.com", "www.nytimes.com"),
    ("marketing@salesforce.com", "www.salesforce.com"),
    ("team@notion.so", "www.notion.so"),
];

/// Sites every device reaches all day.
pub const POPULAR: [&str; 40] = [
    "login.microsoftonline.com",
    "outlook.office365.com",
    "www.office.com",
    "graph.microsoft.com",
    "teams.microsoft.com",
    "contoso.sharepoint.com",
    "settings-win.data.microsoft.com",
    "ctldl.windowsupdate.com",
    "www.google.com",
    "fonts.googleapis.com",
    "www.gstatic.com",
    "accounts.google.com",
    "drive.google.com",
    "docs.google.com",
    "mail.google.com",
    "www.youtube.com",
    "zoom.us",
    "app.slack.com",
    "github.com",
    "api.github.com",
    "www.linkedin.com",
    "contoso.my.salesforce.com",
    "s3.amazonaws.com",
    "d3h2xkn0ea8wfi.cloudfront.net",
    "cdn.jsdelivr.net",
    "ajax.cloudflare.com",
    "www.apple.com",
    "www.dropbox.com",
    "www.adobe.com",
    "en.wikipedia.org",
    "www.nytimes.com",
    "www.bbc.co.uk",
    "weather.com",
    "contoso.atlassian.net",
    "contoso.okta.com",
    "www.notion.so",
    "medium.com",
    "www.amazon.com",
    "stackoverflow.com",
    "www.reddit.com",
];

/// Words the long tail of small sites is named from (two of them and a
/// suffix): blogs, shops, local businesses.
pub const TAIL_WORDS: [&str; 48] = [
    "river", "maple", "harbor", "cedar", "sunny", "golden", "blue", "green", "silver", "meadow",
    "garden", "bakery", "coffee", "studio", "travel", "outdoor", "kitchen", "design", "market",
    "photo", "music", "books", "vintage", "urban", "coastal", "mountain", "prairie", "lake",
    "forest", "stone", "copper", "lantern", "pixel", "paper", "willow", "orchard", "island",
    "canyon", "valley", "summit", "pioneer", "nomad", "atlas", "echo", "maker", "local", "daily",
    "corner",
];

/// Suffixes of the long tail.
pub const TAIL_SUFFIXES: [&str; 6] = ["com", "net", "org", "io", "co", "blog"];

/// Companies that write to the organisation for the first time during
/// the month, each with a link to its own site.
pub const NEW_COMPANIES: [&str; 12] = [
    "brightpathconsulting.com",
    "oakfieldlogistics.com",
    "clearwatersolar.net",
    "redwoodanalytics.io",
    "harbourlinefreight.com",
    "northgateevents.com",
    "silverlineprinting.com",
    "meadowbrookcatering.com",
    "keystoneauditing.com",
    "bluepeakrecruiting.com",
    "lakesideoffice.com",
    "summitfacilities.net",
];

/// Subjects of ordinary mail.
pub const SUBJECTS: [&str; 16] = [
    "Quarterly review",
    "Re: Project timeline",
    "Meeting notes",
    "Invoice for February",
    "Re: Contract draft",
    "Shipping update",
    "Re: Lunch on Thursday?",
    "Proposal attached",
    "Re: Budget questions",
    "Weekly status",
    "Purchase order 4471",
    "Re: Follow-up from our call",
    "Agenda for next week",
    "Re: Design feedback",
    "Updated price list",
    "Travel plans",
];

/// Drive documents: a title stem and an extension.
pub const DOCUMENTS: [(&str, &str); 12] = [
    ("Sales forecast", "xlsx"),
    ("Team roadmap", "docx"),
    ("Brand guidelines", "pdf"),
    ("Board deck", "pptx"),
    ("Customer list", "xlsx"),
    ("Product catalogue", "indd"),
    ("Onboarding checklist", "docx"),
    ("Price sheet", "xlsx"),
    ("Campaign brief", "docx"),
    ("Store layout", "pdf"),
    ("Supplier contacts", "xlsx"),
    ("Meeting minutes", "docx"),
];

/// A browser's user agent.
pub const AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0";
