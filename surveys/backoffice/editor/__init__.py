"""The questionnaire editor of the back-office: staff change an edition without a developer.

Every change goes through `draft.change_definition`, the way an uploaded YAML file goes: the
edition is exported to its plain definition, the change is made on that definition, which is
written as YAML and read back by the loader (so every check of the definition file applies, and
what the editor makes round-trips through the file), then imported (so the protections of an
answered edition apply).
"""
