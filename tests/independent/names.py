"""Name lists of the independent generator, written by hand for it.

They are deliberately not the project generator's: a mix of English, Welsh,
Scottish, Irish, Polish, South Asian and Caribbean names, some with apostrophes,
hyphens or spaces (``O'Neill``, ``Hughes-Parry``, ``Van Der Berg``), a few
very common ones (so that different people share a name) and a short nickname
table for aliases. Forename lists are weighted by repetition.
"""

from __future__ import annotations

MALE_FORENAMES: tuple[str, ...] = (
    # common ones appear twice or three times: different people often share them
    "David", "David", "David", "Paul", "Paul", "Mark", "Mark", "Lee", "Lee", "Darren",
    "Wayne", "Jason", "Craig", "Gary", "Stephen", "Steven", "Christopher", "Anthony",
    "Robert", "William", "Thomas", "Daniel", "Michael", "Michael", "Kevin", "Dean",
    "Carl", "Karl", "Shaun", "Sean", "Gareth", "Rhys", "Dafydd", "Iwan", "Callum",
    "Hamish", "Alasdair", "Ciaran", "Padraig", "Declan", "Tomasz", "Piotr", "Krzysztof",
    "Mohammed", "Muhammad", "Imran", "Asif", "Tariq", "Rajesh", "Sanjay", "Delroy",
    "Winston", "Leroy", "Jermaine", "Kyle", "Liam", "Ryan", "Jamie", "Ashley", "Terry",
    "Jean-Paul", "Mc Kenzie", "Jon",
)  # fmt: skip

FEMALE_FORENAMES: tuple[str, ...] = (
    "Sarah", "Sarah", "Lisa", "Lisa", "Michelle", "Kelly", "Kelly", "Donna", "Tracey",
    "Tracy", "Nicola", "Claire", "Clare", "Joanne", "Emma", "Gemma", "Leanne", "Stacey",
    "Samantha", "Elizabeth", "Catherine", "Katherine", "Margaret", "Rebecca", "Amy",
    "Sian", "Bethan", "Cerys", "Angharad", "Morag", "Siobhan", "Aoife", "Niamh",
    "Agnieszka", "Katarzyna", "Zofia", "Ayesha", "Nasreen", "Farah", "Priya", "Sunita",
    "Marcia", "Beverley", "Charmaine", "Louise", "Jade", "Chantelle", "Toni", "Jo",
    "Mary-Ann", "Ann Marie",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Smith", "Smith", "Smith", "Jones", "Jones", "Williams", "Taylor", "Brown", "Davies",
    "Evans", "Thomas", "Roberts", "Johnson", "Walker", "Wright", "Robinson", "Thompson",
    "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin",
    "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward",
    "Moore", "King", "Watson", "Baker", "Harrison", "Morgan", "Patel", "Patel", "Khan",
    "Hussain", "Ahmed", "Begum", "Singh", "Kaur", "Murphy", "Kelly", "O'Neill",
    "O'Brien", "McDonald", "MacLeod", "Campbell", "Stewart", "Fraser", "Llewellyn",
    "Pritchard", "Hughes-Parry", "Ap Rhys", "Nowak", "Kowalski", "Wisniewski",
    "Lewandowska", "Campbell-Brown", "Francis", "Grant", "Henry", "Van Der Berg",
    "D'Souza", "St John", "Fitzgerald", "Quinn", "Young", "Yates", "Zielinski",
)  # fmt: skip

# Forenames a person might give instead of their own: to an arresting officer,
# a registrar or a clerk. The initial sometimes changes (Robert -> Bob).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "David": ("Dave", "Davey"),
    "Paul": ("Paulie",),
    "Christopher": ("Chris", "Kit"),
    "Anthony": ("Tony", "Ant"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Thomas": ("Tom", "Tommy"),
    "Daniel": ("Dan", "Danny"),
    "Michael": ("Mike", "Mick", "Micky"),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Terry": ("Terence",),
    "Jamie": ("James", "Jim"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Catherine": ("Cathy", "Kate"),
    "Katherine": ("Kathy", "Kate"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Rebecca": ("Becky", "Becca"),
    "Samantha": ("Sam", "Sammy"),
    "Nicola": ("Nicky", "Nikki"),
    "Joanne": ("Jo", "Jo-Jo"),
    "Mohammed": ("Mohamed", "Mo"),
    "Muhammad": ("Mohammed",),
    "Krzysztof": ("Chris",),
    "Tomasz": ("Tom",),
    "Agnieszka": ("Agnes",),
}
