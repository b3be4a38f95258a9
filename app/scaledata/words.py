"""Names and sentences for synthetic data: varied enough that lists, searches and pages look like real use."""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Léa", "Sami", "Nadia", "Jordan", "Priya", "Amina", "Youssef", "Chloé", "Mateo", "Aïcha", "Lucas", "Fatou",
    "Noah", "Inès", "Omar", "Zoé", "Kwame", "Sofia", "Karim", "Emma", "Moussa", "Camille", "Diego", "Yasmine",
    "Liam", "Mariam", "Hugo", "Awa", "Ethan", "Salma", "Gabriel", "Nour", "Louis", "Aminata", "Ravi", "Jade",
    "Ibrahima", "Manon", "Tariq", "Alice", "Mehdi", "Clara", "Ousmane", "Lina", "Arjun", "Maya", "Bilal", "Rosa",
    "Théo", "Khadija", "Samuel", "Leila", "Adama", "Elif", "Nathan", "Hana", "Malik", "Julia", "Idris", "Sara",
)
LAST_NAMES = (
    "Tremblay", "Benali", "Gagnon", "Souza", "Mansour", "Nguyen", "Haddad", "Lee", "Patel", "Diallo", "Roy",
    "Martin", "Bouchard", "Traoré", "Garcia", "Côté", "Khan", "Dubois", "Ndiaye", "Lefebvre", "Rossi", "Kone",
    "Morin", "El Amrani", "Bernard", "Sow", "Pelletier", "Cohen", "Fofana", "Lambert", "Ortiz", "Sylla",
    "Girard", "Chen", "Mbaye", "Fournier", "Ali", "Lavoie", "Mendes", "Bakayoko", "Fortin", "Kaya", "Ouellet",
)
ORGANISATIONS = (
    "Collège de Maisonneuve", "Maison des jeunes du Plateau", "Lycée Victor-Hugo", "Boys & Girls Club Chicago",
    "Centre culturel de Dakar", "Association Tafra", "École secondaire Saint-Laurent", "Youth Media Lab",
    "Fondation Jeunesse Tunis", "Centre communautaire Hochelaga", "Brooklyn Youth Works", "Maison de quartier Lyon 8",
)
FUNDERS = (
    "Fondation Passerelle", "UNESCO Youth Fund", "Fonds Jeunesse Québec", "Open Societies Trust",
    "Fondation de France", "Media Literacy Alliance", "Programme Horizons", "Civic Futures Fund",
)

TOPICS = (
    "podcasts", "short videos", "a comic series", "a web documentary", "street theatre", "a photo exhibition",
    "an online game", "a radio show", "workshops", "a meme lab", "an Instagram campaign", "a fact-checking club",
    "a zine", "a hackathon", "a debate league", "a mural", "a mobile app", "a storytelling festival",
)
AIMS = (
    "answer hate speech online", "take apart conspiracy theories", "bring together young people of different faiths",
    "teach students to check sources", "give newcomers a voice", "counter extremist recruitment",
    "celebrate the languages of the neighbourhood", "build empathy between rival schools",
    "show how algorithms shape what we see", "help teenagers spot manipulation",
)
PLACES = (
    "Montréal", "Québec", "Dakar", "Lyon", "Marseille", "Chicago", "Tunis", "Casablanca", "Brussels", "Geneva",
    "Abidjan", "Toronto", "Paris", "New York", "Rabat", "Lille", "Ottawa", "Bamako", "Liège", "Sherbrooke",
)
AUDIENCES = (
    "students aged 13 to 17", "first-year college students", "young people in youth centres", "parents and teachers",
    "newcomer families", "gamers on Discord", "followers on TikTok", "listeners of community radio",
)
TITLE_HEADS = (
    "Voices of", "Stories from", "Bridges in", "Facts First:", "Echoes of", "Unfiltered", "Beyond the Feed:",
    "Open Doors", "Counter-Signal", "Side by Side in", "Rewire", "Common Ground:",
)
TITLE_TAILS = (
    "the Neighbourhood", "Our Schools", "the Playground", "the Timeline", "Tomorrow", "the Block", "the Crossroads",
    "Every Screen", "Our Street", "the Comment Section", "the Group Chat", "the Courtyard",
)
BUDGET_ITEMS = {
    "equipment": ("Microphones and stands", "Two cameras", "Lighting kit", "Laptops for editing"),
    "software": ("Editing software licences", "Website hosting for a year", "Podcast hosting"),
    "services": ("Sound engineer", "Translation and subtitles", "Graphic designer"),
    "materials": ("Printing of zines", "Posters and flyers", "Paint and brushes"),
    "travel": ("Bus passes for the team", "Trip to the regional festival"),
    "events": ("Room rental for the screening", "Launch evening", "Workshop snacks"),
    "communication": ("Sponsored posts", "Press kit"),
    "other": ("Insurance", "Contingency"),
}
MILESTONE_STEPS = (
    ("Research and script", "Interviews recorded and scripts written"),
    ("Production", "First episodes produced and reviewed by the mentor"),
    ("Launch", "Published online and presented at a public event"),
    ("Workshops", "Three workshops held in partner schools"),
    ("Evaluation", "Audience survey and final report"),
)
COMMENTS_TEAM = (
    "Could you say more about how you will reach students outside your own school?",
    "The budget looks realistic; consider adding subtitles so more people can follow.",
    "Great idea. Who on the team will moderate the comments once it is online?",
    "Please attach a short storyboard before the next milestone.",
    "We updated the plan after the workshop with our mentor.",
)
COMMENTS_INTERNAL = (
    "Strong team, but the reach estimate seems high for the budget.",
    "Similar to a project funded last year; check they are not the same team.",
    "Good fit with the call's themes. Recommend a mentor with video experience.",
    "The second milestone's tranche is large compared with its deliverable.",
)
REVIEW_COMMENTS = (
    "Clear problem statement and a credible plan.",
    "Ambitious; the timeline is tight but the team has done this before.",
    "The audience is well defined. The evaluation could be stronger.",
    "Good idea, weak budget justification.",
    "Would benefit from a partner organisation.",
)
CRITERIA = (
    ("Relevance to the call", 3, False),
    ("Quality of the approach", 3, False),
    ("Reach and audience", 2, True),
    ("Feasibility and budget", 2, False),
)
LEVELS = ["Weak", "Fair", "Good", "Very good", "Excellent"]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def team_name(rng: random.Random, number: int) -> str:
    return f"{rng.choice(TITLE_HEADS)} {rng.choice(PLACES)} {number}"[:80]


def proposal_text(rng: random.Random, place: str) -> dict[str, str]:
    topic, aim, audience = rng.choice(TOPICS), rng.choice(AIMS), rng.choice(AUDIENCES)
    title = f"{rng.choice(TITLE_HEADS)} {rng.choice(TITLE_TAILS)}: {topic} in {place}"
    return {
        "title": title[:160],
        "summary": f"Young people in {place} create {topic} to {aim}. The project reaches {audience} "
                   f"and is made with them, not for them.",
        "problem": f"In {place}, {audience} meet hateful and misleading content every day and rarely see "
                   f"people like them answer it. Teachers say rumours spread faster than corrections, and "
                   f"many young people feel nobody listens to their side of the story.",
        "approach": f"The team produces {topic} over six months, with a mentor's feedback at each step. Each "
                    f"piece is tested with a small group before it is published, and every episode ends with "
                    f"a question the audience answers online or in class.",
        "audience": f"Mainly {audience} in {place}; also their families and teachers.",
    }
