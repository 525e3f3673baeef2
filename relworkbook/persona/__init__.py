"""Persona mapping: the Active Neighbours personas as a short quiz, a profile, the group's mix and a follow-up."""
