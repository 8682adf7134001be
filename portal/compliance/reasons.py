"""Reasons of a verdict in plain words, in the reader's language (reasons are stored as codes and parameters)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from .freshness import STALE_CODE
from .verdict import Code


def _country(code: str) -> str:
    return dict(countries).get(code, code) if code and code != "*" else _("every market")


def _vins(params: dict) -> str:
    shown = ", ".join(params.get("vins", []))
    more = params.get("count", 0) - len(params.get("vins", []))
    return shown + (_(" and %(count)d more") % {"count": more} if more > 0 else "")


def _market(code: str) -> str:
    return _country(code) if len(code) == 2 or code == "*" else code


def reason_text(reason: dict) -> str:
    """One sentence that says what is wrong (or worth knowing) and where the rule comes from."""
    code, p = reason.get("code"), reason.get("params", {})
    if code == STALE_CODE:
        return _(
            "The screening list “%(list)s” (%(source)s) was last updated on %(updated_on)s and is refreshed every "
            "%(refresh_days)s days: it is stale, so a recent listing may be missing from this check."
        ) % {**p, "source": p.get("source") or "—"}
    if code == Code.EMBARGO:
        return _("%(country)s is under an embargo (%(source)s) since %(since)s.") % {
            "country": _country(p["country"]),
            "source": p["source"],
            "since": p["since"],
        }
    if code == Code.EMBARGO_CONSIGNEE:
        return _("The consignee's country, %(country)s, is under an embargo (%(source)s) since %(since)s.") % {
            "country": _country(p["country"]),
            "source": p["source"],
            "since": p["since"],
        }
    if code == Code.SCREENING:
        which = _("its alias “%(alias)s”") % {"alias": p["matched_name"]} if p.get("matched_alias") else _("its name")
        text = _(
            "The consignee “%(consignee)s” matches “%(entry)s” on the screening list (%(source)s) by %(which)s: "
            "score %(score)s of 100 (review from %(review)s, block from %(block)s)."
        ) % {
            "consignee": p["consignee"],
            "entry": p["entry_name"],
            "source": p["list_source"],
            "which": which,
            "score": f"{p['score']:g}",
            "review": f"{p['review_score']:g}",
            "block": f"{p['block_score']:g}",
        }
        if p.get("owned_by"):
            text += " " + _("It is not listed itself, but listed parties own %(share)s %% of it: %(owners)s.") % {
                "share": f"{p.get('ownership_share', 0):g}",
                "owners": "; ".join(
                    f"{item['owner']} {item['share']:g} % (≈ {item['listed_as']})" for item in p["owned_by"]
                ),
            }
        if not p.get("country_agrees"):
            text += " " + _("The entry is in %(country)s, not in the consignee's country: review it.") % {
                "country": _country(p["entry_country"])
            }
        return text
    if code == Code.BATTERY_PASSPORT_INCOMPLETE:
        return _battery_passport_text(p)
    if code == Code.CERTIFICATE_MISSING:
        return ngettext(
            "No %(certificate)s on file for %(model)s (%(count)d vehicle), required for %(market)s by %(source)s.",
            "No %(certificate)s on file for %(model)s (%(count)d vehicles), required for %(market)s by %(source)s.",
            p["vehicle_count"],
        ) % _certificate_words(p)
    if code == Code.CERTIFICATE_EXPIRED:
        return _(
            "The %(certificate)s %(number)s of %(model)s expired on %(valid_to)s "
            "(required for %(market)s by %(source)s)."
        ) % _certificate_words(p)
    if code == Code.CERTIFICATE_EXPIRES_BEFORE_ARRIVAL and p.get("on") == "shipping":
        return _(
            "The %(certificate)s %(number)s of %(model)s expires on %(valid_to)s, before the shipping date "
            "%(arrival)s (required for %(market)s by %(source)s)."
        ) % _certificate_words(p)
    if code == Code.CERTIFICATE_NOT_YET_VALID and p.get("on") == "shipping":
        return _(
            "The %(certificate)s %(number)s of %(model)s is valid only from %(valid_from)s, after the shipping date "
            "%(arrival)s."
        ) % _certificate_words(p)
    if code == Code.CERTIFICATE_EXPIRES_BEFORE_ARRIVAL:
        return _(
            "The %(certificate)s %(number)s of %(model)s expires on %(valid_to)s, before the expected arrival on "
            "%(arrival)s (required for %(market)s by %(source)s)."
        ) % _certificate_words(p)
    if code == Code.CERTIFICATE_NOT_YET_VALID:
        return _(
            "The %(certificate)s %(number)s of %(model)s is valid only from %(valid_from)s, after the expected "
            "arrival on %(arrival)s."
        ) % _certificate_words(p)
    if code == Code.CERTIFICATE_TOO_LONG:
        return _(
            "The %(certificate)s %(number)s of %(model)s is valid until %(valid_to)s, longer than the %(max_months)s "
            "months such a certificate may last: check it."
        ) % _certificate_words(p)
    if code == Code.NO_MARKET_RULES:
        return _(
            "No market requirements are on file for %(category)s vehicles (%(model)s) going to %(market)s: "
            "check that market's rules by hand."
        ) % {"category": p["category"], "model": p["model"], "market": _country(p["market"])}
    if code == Code.HS_CODE_MISMATCH:
        return _("The shipment is declared as HS %(hs_code)s, but %(model)s is registered as HS %(model_hs_code)s.") % p
    if code == Code.VEHICLE_EXPORTED:
        return ngettext(
            "%(count)d vehicle was already exported: %(vins)s.",
            "%(count)d vehicles were already exported: %(vins)s.",
            p["count"],
        ) % {"count": p["count"], "vins": _vins(p)}
    if code == Code.VEHICLE_DEREGISTERED:
        return ngettext(
            "%(count)d vehicle is deregistered: %(vins)s.", "%(count)d vehicles are deregistered: %(vins)s.", p["count"]
        ) % {"count": p["count"], "vins": _vins(p)}
    if code == Code.VEHICLE_ON_OTHER_SHIPMENT:
        return ngettext(
            "%(count)d vehicle is also on shipment %(shipments)s: %(vins)s.",
            "%(count)d vehicles are also on shipments %(shipments)s: %(vins)s.",
            p["count"],
        ) % {"count": p["count"], "vins": _vins(p), "shipments": ", ".join(p.get("shipments", []))}
    if code == Code.NO_VEHICLES:
        return _("The shipment has no vehicles yet.")
    if code == Code.ARRIVAL_IN_PAST:
        return _("The expected arrival, %(arrival)s, is in the past: correct the date.") % p
    if code == Code.RULE_UPCOMING:
        return _(
            "From %(effective_from)s, %(market)s will also require %(certificate)s for %(model)s (%(source)s)."
        ) % {
            "effective_from": p["effective_from"],
            "market": _market(p["market"]),
            "certificate": p["certificate_name"],
            "model": p["model"],
            "source": p["source"],
        }
    requirement = _requirement_text(code, p)
    if requirement:
        return requirement
    licence = _licence_text(code, p)
    if licence:
        return licence
    duty = _duty_text(code, p)
    if duty:
        return duty
    return code or ""


def _requirement_text(code: str, p: dict) -> str:
    """Market requirements one per shipment (SABER SCoC) and those that only inform for now (EU battery passport)."""
    words = {
        "certificate": p.get("certificate_name", ""),
        "market": _market(p.get("market", "")),
        "source": p.get("source", ""),
        "model": p.get("model", ""),
        "effective_from": p.get("effective_from", ""),
    }
    if code == Code.SHIPMENT_CERTIFICATE_MISSING:
        return (
            _(
                "No %(certificate)s is attached to the shipment: %(market)s requires one for each shipment, "
                "before arrival (%(source)s). Enter its reference on the shipment."
            )
            % words
        )
    if code == Code.RXSWIN_NOT_LISTED:
        return _rxswin_text(p)
    if code == Code.REQUIREMENT_NOTE and p.get("in_force"):
        return (
            _(
                "%(market)s requires %(certificate)s for %(model)s since %(effective_from)s (%(source)s); it is not "
                "checked yet, so it does not change the verdict."
            )
            % words
        )
    if code == Code.REQUIREMENT_NOTE:
        return (
            _(
                "From %(effective_from)s, %(market)s will require %(certificate)s for %(model)s (%(source)s). For "
                "information: it does not change the verdict yet."
            )
            % words
        )
    return ""


def _rxswin_text(p: dict) -> str:
    """UN R156: vehicles whose recorded RXSWIN no valid approval of their model lists (a review, per model)."""
    rxswins = ", ".join(p.get("rxswins", []))
    more = p.get("rxswin_count", 0) - len(p.get("rxswins", []))
    if more > 0:
        rxswins += _(" and %(count)d more") % {"count": more}
    return ngettext(
        "%(count)d vehicle of %(model)s has an RXSWIN that no %(certificate)s valid on %(day)s lists (%(numbers)s; "
        "required for %(market)s by %(source)s): check its software or the approval. RXSWIN not listed: "
        "%(rxswins)s. Vehicle: %(vins)s.",
        "%(count)d vehicles of %(model)s have RXSWINs that no %(certificate)s valid on %(day)s lists (%(numbers)s; "
        "required for %(market)s by %(source)s): check their software or the approval. RXSWINs not listed: "
        "%(rxswins)s. Vehicles: %(vins)s.",
        p["count"],
    ) % {
        "count": p["count"],
        "model": p.get("model", ""),
        "certificate": p.get("certificate_name", ""),
        "day": p.get("day", ""),
        "numbers": ", ".join(p.get("numbers", [])),
        "market": _market(p.get("market", "")),
        "source": p.get("source", ""),
        "rxswins": rxswins,
        "vins": _vins(p),
    }


def _battery_passport_text(p: dict) -> str:
    """Incomplete battery passports on a shipment to the EU: blocked from the rule's start, a review before."""
    words = {
        "count": p["count"],
        "vehicles": p["vehicle_count"],
        "market": _market(p["market"]),
        "effective_from": p["effective_from"],
        "source": p["source"],
    }
    if p.get("in_force"):
        text = ngettext(
            "%(count)d battery on this shipment has an incomplete passport (on %(vehicles)d vehicles): %(market)s "
            "requires a complete passport for every battery since %(effective_from)s (%(source)s).",
            "%(count)d batteries on this shipment have incomplete passports (on %(vehicles)d vehicles): %(market)s "
            "requires a complete passport for every battery since %(effective_from)s (%(source)s).",
            p["count"],
        )
    else:
        text = ngettext(
            "%(count)d battery on this shipment has an incomplete passport (on %(vehicles)d vehicles): from "
            "%(effective_from)s %(market)s requires a complete passport for every battery (%(source)s), and the "
            "shipment will be blocked.",
            "%(count)d batteries on this shipment have incomplete passports (on %(vehicles)d vehicles): from "
            "%(effective_from)s %(market)s requires a complete passport for every battery (%(source)s), and the "
            "shipment will be blocked.",
            p["count"],
        )
    return text % words


def _duty_text(code: str, p: dict) -> str:
    """The destination's import duties (reference.ImportDutyRate, reference.PriceUndertaking)."""
    if code == Code.DUTY_ESTIMATE:
        basis = {
            "company": _("company rate of %(producer)s") % {"producer": p.get("producer", "")},
            "residual": _("residual rate"),
            "undertaking": _("exempt under the price undertaking"),
            "none": _("none in force"),
        }.get(p.get("countervailing_basis", ""), "")
        return _(
            "Estimated import duties on the invoice value of EUR %(value)s (%(count)s × EUR %(price)s): customs "
            "%(customs_rate)s %% = EUR %(customs)s, countervailing %(cvd_rate)s %% (%(basis)s) = EUR %(cvd)s; "
            "total EUR %(total)s (%(source)s)."
        ) % {
            "value": p["invoice_value"],
            "count": p["vehicle_count"],
            "price": p["invoice_price"],
            "customs_rate": p["customs_rate"],
            "customs": p["customs_amount"],
            "cvd_rate": p["countervailing_rate"],
            "basis": basis,
            "cvd": p["countervailing_amount"],
            "total": p["total"],
            "source": p.get("source", ""),
        }
    if code == Code.DUTY_DECLARATION_MISSING:
        return _(
            "The commercial invoice lacks %(producer)s's declaration: the residual countervailing rate of "
            "%(residual)s %% applies instead of %(company)s %% (%(source)s)."
        ) % {
            "producer": p["producer"],
            "residual": p["residual_rate"],
            "company": p["company_rate"],
            "source": p["source"],
        }
    if code == Code.DUTY_PRICE_MISSING:
        return _("Enter the invoice price per vehicle: %(destination)s levies duties on HS %(hs_code)s.") % {
            "destination": _market(p["destination"]),
            "hs_code": p["hs_code"],
        }
    words = {
        "undertaking": p.get("undertaking", ""),
        "minimum": p.get("minimum_price", ""),
        "price": p.get("invoice_price", ""),
        "cap": p.get("annual_cap", ""),
        "used": p.get("used", ""),
        "count": p.get("vehicle_count", ""),
        "source": p.get("undertaking_source", ""),
    }
    if code == Code.UNDERTAKING_PRICE_BELOW_MINIMUM:
        return (
            _(
                "The invoice price is under the minimum import price of EUR %(minimum)s of the undertaking "
                "%(undertaking)s (%(source)s): countervailing duty is due."
            )
            % words
        )
    if code == Code.UNDERTAKING_CAP_EXCEEDED:
        return (
            _(
                "The undertaking %(undertaking)s allows %(cap)s vehicles a year; %(used)s were shipped under it this "
                "year and this shipment adds %(count)s (%(source)s)."
            )
            % words
        )
    if code == Code.UNDERTAKING_NOT_IN_FORCE:
        return _("The undertaking %(undertaking)s is not in force on the arrival date (%(source)s).") % words
    return ""


def _licence_text(code: str, p: dict) -> str:
    """The export licence rules' reasons (reference.ExportLicenceRule): each names the rule and its source."""
    words = {
        "rule": p.get("rule_name", ""),
        "source": p.get("source", ""),
        "hs_code": p.get("hs_code", ""),
        "destination": _country(p.get("destination", "")),
        "ships_on": p.get("ships_on", ""),
    }
    if code == Code.LICENCE_MISSING:
        return (
            _(
                "No export licence on file for HS %(hs_code)s to %(destination)s, valid on the shipping date "
                "%(ships_on)s (%(rule)s; %(source)s)."
            )
            % words
        )
    if code == Code.LICENCE_EXPIRED:
        return _(
            "Export licence %(number)s for HS %(hs_code)s to %(destination)s expired on %(valid_to)s, before the "
            "shipping date %(ships_on)s (%(rule)s; %(source)s)."
        ) % {**words, "number": p["number"], "valid_to": p["valid_to"]}
    if code == Code.LICENCE_NOT_YET_VALID:
        return _(
            "Export licence %(number)s is valid only from %(valid_from)s, after the shipping date %(ships_on)s "
            "(%(rule)s; %(source)s)."
        ) % {**words, "number": p["number"], "valid_from": p["valid_from"]}
    if code == Code.LICENCE_OUT_OF_SCOPE:
        held = "; ".join(
            f"{item['number']}: HS {', '.join(item['hs_codes'])} → {', '.join(item['destinations'])}"
            for item in p.get("licences", [])
        )
        return _(
            "None of your export licences covers HS %(hs_code)s to %(destination)s (%(held)s): %(rule)s needs "
            "one that does (%(source)s)."
        ) % {**words, "held": held}
    if code == Code.LICENCE_HS_UNCLEAR:
        return _(
            "HS %(hs_code)s may be %(covered)s, which needs an export licence (%(rule)s): declare the full code "
            "(%(source)s)."
        ) % {**words, "covered": p["covered_code"]}
    if code == Code.LICENCE_NOT_APPLICABLE:
        text = _("%(rule)s was considered and does not apply: it covers HS %(covers)s, not %(hs_code)s.") % {
            **words,
            "covers": ", ".join(p.get("covers", [])),
        }
        return f"{text} {p['why']}" if p.get("why") else text
    if code == Code.LICENCE_UPCOMING:
        return _("From %(effective_from)s, HS %(hs_code)s needs an export licence (%(rule)s; %(source)s).") % {
            **words,
            "effective_from": p["effective_from"],
        }
    if code == Code.AUTHORISATION_MISSING:
        return _(
            "You export as a trader for %(manufacturer)s, but no authorisation of that manufacturer is on file "
            "valid on %(ships_on)s (%(rule)s; %(source)s)."
        ) % {**words, "manufacturer": p["manufacturer"]}
    if code == Code.MODEL_CERTIFICATE_MISSING:
        if p.get("number"):
            return _(
                "The %(certificate)s %(number)s of %(model)s is not valid on the shipping date %(ships_on)s "
                "(valid to %(valid_to)s); %(rule)s needs it (%(source)s)."
            ) % {
                **words,
                **{key: p[key] for key in ("number", "model", "valid_to")},
                "certificate": p["certificate_name"],
            }
        return _("No %(certificate)s on file for %(model)s; %(rule)s needs it (%(source)s).") % {
            **words,
            "model": p["model"],
            "certificate": p["certificate_name"],
        }
    if code == Code.OUTLET_MISSING:
        return (
            _(
                "No after-sales service outlet in %(destination)s is on file; the export licence application lists "
                "them per destination (%(rule)s)."
            )
            % words
        )
    if code == Code.USED_LETTER_MISSING:
        return ngettext(
            "%(count)d vehicle was registered less than %(days)d days before the shipping date (a used vehicle): "
            "attach the manufacturer's after-sales confirmation letter to the shipment (%(rule)s): %(vins)s.",
            "%(count)d vehicles were registered less than %(days)d days before the shipping date (used vehicles): "
            "attach the manufacturer's after-sales confirmation letter to the shipment (%(rule)s): %(vins)s.",
            p["count"],
        ) % {**words, "count": p["count"], "days": p["days"], "vins": _vins(p)}
    return ""


def _certificate_words(p: dict) -> dict:
    return {
        "certificate": p.get("certificate_name", ""),
        "number": p.get("number", ""),
        "model": p.get("model", ""),
        "count": p.get("vehicle_count", 0),
        "market": _market(p.get("market", "")),
        "source": p.get("source", ""),
        "valid_from": p.get("valid_from", ""),
        "valid_to": p.get("valid_to", ""),
        "arrival": p.get("arrival", ""),
        "max_months": p.get("max_months", ""),
    }


def reasons_explained(reasons: list[dict]) -> list[dict]:
    """The stored reasons with their sentence, for templates and the API."""
    return [{**reason, "text": reason_text(reason)} for reason in reasons]
