"""Internal prices (issue 21, item 4): an organisation's price list for delivery, storage and
cleaning or repair, the estimate shown before a unit confirms, the charges recorded against
the receiving unit's cost centre at handover, and the coordinator's monthly finance export.

Internal means within one organisation: a charge is made only when the receiving unit, the
item's organisation and the warehouse that stored or delivered it are all the same
organisation. Between organisations the handover document records the handover instead.
With every price zero, nothing about prices is shown anywhere.
"""
