from registrations.selectors import school_years


def school_year(request):
    """The selected year and the list for the navbar switcher (only for signed-in pages)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "school_year": getattr(request, "school_year", None),
        "school_years": school_years(),
    }
