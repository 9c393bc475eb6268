"""The back office's use cases: each takes the signed-in staff member and checks their role
(domain/staff.py) before it reads or changes anything."""
