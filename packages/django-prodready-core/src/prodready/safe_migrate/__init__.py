"""Safe deploys: the pending migration plan, its risks, and how to go back."""
