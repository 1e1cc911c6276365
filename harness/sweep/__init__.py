"""Many rehearsals at once: seeds x config variants x profiles, run as Ray tasks, aggregated.

One rehearsal's score moves by about a point from the split alone, the size
of the gains teams chased; a sweep repeats it and reports mean ± standard
error per variant. The modules: `grid` (what to run), `executor` (Ray
tasks with declared resources), `aggregate` (pure statistics over the run
folders), `layout` (`runs/sweeps/<id>/`), `summary` (summary.json, the table
and the page), `sweep` (the command's steps in order).
"""
