"""The rules of 39 CFR 233.3 as plain, typed functions.

Nothing here imports Django, touches a database or reads a clock: every
function that depends on time takes `now` as a parameter. Each rule names its
id from LAW.md, and every refusal carries that id.
"""
