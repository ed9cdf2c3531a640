"""A person's own page, `/me`: what each domain holds about them, put together."""
