"""The French the team's pages show, for the journeys that run in French."""

# The French the pages show, by English source string: each value is the msgstr of
# app/translations/fr/LC_MESSAGES/messages.po for that string (numbered labels filled in with 1).
FR = {
    "Start a proposal": "Commencer une proposition",
    "Start the draft": "Commencer le brouillon",
    "Edit the proposal": "Modifier la proposition",
    "Project title": "Titre du projet",
    "Summary": "Résumé",
    "The problem": "Le problème",
    "Your approach": "Votre démarche",
    "Themes": "Thèmes",
    "Counter-narratives": "Contre-discours",
    "Amount requested": "Montant demandé",
    "Add a budget line": "Ajouter une ligne budgétaire",
    "Budget line 1": "Ligne budgétaire 1",  # "Budget line %(num)d"
    "Category": "Catégorie",
    "Equipment": "Équipement",
    "What it pays for": "Objet de la dépense",
    "Amount": "Montant",
    "Add a milestone": "Ajouter un jalon",
    "Milestone 1": "Jalon 1",  # "Milestone %(num)d"
    "Milestone": "Jalon",
    "What you will deliver": "Ce que vous livrerez",
    "Due date": "Date d'échéance",
    "Tranche paid when it is approved": "Tranche versée à l'approbation du jalon",
    "Submit the proposal": "Soumettre la proposition",
    "There is 1 problem to fix": "Il y a 1 problème à corriger",
    "History": "Historique",
    "Main": "Menu principal",
    "Proposals": "Propositions",
    "Audience": "Public cible",
    "Resubmit the proposal": "Soumettre de nouveau la proposition",
    "Your proposal is submitted. Your team has been told by email.":
        "Votre proposition est soumise. Votre équipe a été prévenue par courriel.",
    "in review": "en évaluation",
    "changes requested": "modifications demandées",
    "Sign in": "Se connecter",
    "Email address": "Adresse courriel",
    "Password": "Mot de passe",
}
