"""One rehearsal in order: prepare, train, predict, score, report; its observers and trace."""
