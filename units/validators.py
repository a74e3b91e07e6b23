from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError


class VietnameseMinimumLengthValidator(MinimumLengthValidator):
    """Django's "vi" catalogue lacks the plural error of this validator; say it in Vietnamese."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự.",
                code="password_too_short",
                params={"min_length": self.min_length},
            )
