from .pages import home, organization_settings

__all__ = ["home", "organization_settings"]
