"""Rule-based classification: clear records filed, ambiguous ones sent to review."""

from __future__ import annotations

from records.classify.rules import Classifier
from records.config import UNCLASSIFIED, Settings


def test_classify_text_clear_record_gets_type_and_high_score(settings: Settings) -> None:
    classifier = Classifier(settings.classification)
    result = classifier.classify_text(
        "Town and Country Planning Act 1990. Decision Notice. Application No: 25/01234/HOU. "
        "Grant of Planning Permission for a single storey rear extension."
    )
    assert result.record_type == "planning_application"
    assert result.score >= 0.8
    assert not result.needs_review


def test_classify_text_ambiguous_record_is_unclassified_for_review(settings: Settings) -> None:
    classifier = Classifier(settings.classification)
    result = classifier.classify_text(
        "Council Tax Demand Notice under the Local Government Finance Act 1992. "
        "Business Rates Demand Notice: Non-Domestic Rates, rateable value 12,000."
    )
    assert result.record_type == UNCLASSIFIED
    assert result.needs_review
    assert {t for t, _ in result.candidates[:2]} == {"council_tax", "business_rates"}


def test_classify_text_without_evidence_is_unclassified(settings: Settings) -> None:
    result = Classifier(settings.classification).classify_text("Dear Sir, thank you for your letter.")
    assert (result.record_type, result.score, result.needs_review) == (UNCLASSIFIED, 0.0, True)
