"""Demo papers in Russian and Turkish, as PDFs that show and give back their text.

``russian_paper`` is the text of each group's working paper in Russian (its
language version, uploaded by ``documents_actions``); ``load_turkish_paper``
adds the founding meeting's press release in Turkish, from the Turkic
Council's own text of 9 November 2017. Both PDFs embed DejaVu Sans (see
``konsey.documents.samples.make_pdf``). Idempotent by title.
"""

from __future__ import annotations

import io
from collections import Counter

from sqlalchemy import select

from konsey import audit
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.extensions import db
from konsey.models import Document, WorkingGroup

DEMO_ACTOR = audit.Actor(user=None, ip="cli")

# group slug → (its name in Russian, the paper's subject)
_RUSSIAN = {
    "cyber-security": (
        "Рабочая группа по кибербезопасности",
        "Предложения по сотрудничеству в области кибербезопасности: реагирование на "
        "инциденты, обмен информацией об угрозах, наращивание потенциала.",
    ),
    "tasim-fibre": (
        "Рабочая группа по TASIM и волоконно-оптической инфраструктуре",
        "Предложения по сотрудничеству: Трансевразийская информационная супермагистраль "
        "(TASIM) и волоконно-оптические линии связи между государствами-членами.",
    ),
    "satellite-services": (
        "Рабочая группа по спутниковым услугам",
        "Предложения по сотрудничеству в области спутниковой связи и дистанционного "
        "зондирования Земли.",
    ),
    "e-government": (
        "Рабочая группа по электронному правительству",
        "Предложения по обмену опытом в области услуг электронного правительства и их "
        "совместимости.",
    ),
    "ict-ministers": (
        "Совещание министров, ответственных за ИКТ",
        "Предложения по сотрудничеству для второго совещания министров "
        "(Стамбул, 9 ноября 2017 года).",
    ),
}


def russian_lines(group: WorkingGroup) -> list[str]:
    """The text of the group's working paper in Russian."""
    name, subject = _RUSSIAN.get(group.slug, (group.name, "Предложения по сотрудничеству."))
    return [f"{name}: рабочий документ", subject, "2017 год."]


def russian_paper(group: WorkingGroup) -> bytes:
    """The group's working paper in Russian, as a PDF."""
    return samples.make_pdf(russian_lines(group), language="ru")


TURKISH_GROUP = "ict-ministers"
TURKISH_TITLE = "BİT Bakanları 2. Toplantısı: basın bülteni"
# The Turkic Council's press release of the 2nd Meeting (Istanbul, 9 November 2017).
TURKISH_TEXT = [
    "Türk Konseyi Bilgi ve İletişim Teknolojilerinden (BİT) Sorumlu Bakanları’nın 2. Toplantısı",
    "Türk Konseyi Bilgi ve İletişim Teknolojilerinden (BİT) Sorumlu Bakanları’nın "
    "2. Toplantısı 9 Kasım 2017 tarihinde İstanbul’da gerçekleştirilmiştir.",
    "Türk Konseyi Genel Sekreteri Büyükelçi Ramil Hasanov tarafından açılışı yapılan "
    "toplantıda, Türkiye Cumhuriyeti Ulaştırma, Denizcilik ve Haberleşme Bakanı Ahmet "
    "Arslan, Azerbaycan Cumhuriyeti Ulaştırma, İletişim ve Yüksek Teknolojiler Bakanı "
    "Ramin Guluzade, Kırgızistan Cumhuriyeti Bilişim Teknolojileri ve İletişim Komisyonu "
    "Bakan Yardımcısı Abdysamat Sağlambayev ve Kazakistan Cumhuriyeti BİT Bakanlığı "
    "Bünyesindeki Haberleşme, Bilişim ve Geniş Medya Kamu Kontrol Komitesi Başkan Vekili "
    "Vitaliy Yaroshenko birer konuşma yapmışlardır.",
    "Üye Devletler, BİT’in önemini vurgulayarak, gündelik hayatta ekonomiden güvenliğe "
    "kadar her alanda kapsadığı role dikkat çekmişlerdir.",
    "Genel Sekreter Hasanov, siber güvenlik konusu ile Üye Devletlerin bu konuda "
    "karşılaştığı tehditlere değinmiştir.",
    "Bakanlar, dört alt çalışma grubu aracılığıyla işbirliğinin geliştirilmesinin önemini "
    "de vurgulamışlardır.",
    "3. Bakanlar Toplantısının yer ve tarihinin belirlenmesine ilişkin olarak, "
    "Kazakistan’ın bu konu hakkında Sekretaryaya diplomatik kanallar aracılığıyla bilgi "
    "vermesi hususunda mutabık kalınmıştır.",
    "Görüşmelerin tamamlanmasını takiben İkinci Bakanlar Toplantısı’nın mutabık kalınan "
    "Toplantı Zaptı Genel Sekreter Hasanov tarafından imzalanmıştır.",
]


def load_turkish_paper(created: Counter) -> None:
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == TURKISH_GROUP))
    if group is None:
        return
    exists = db.session.scalar(
        select(Document.id).where(Document.group_id == group.id, Document.title == TURKISH_TITLE)
    )
    if exists is not None:
        return
    data = samples.make_pdf(TURKISH_TEXT, title=TURKISH_TITLE, language="tr")
    document_services.create_documents(
        DEMO_ACTOR,
        group,
        [document_services.Upload(stream=io.BytesIO(data), filename="basin-bulteni.pdf")],
        title=TURKISH_TITLE,
        description="",
        kind="other",
        language="tr",
        visibility="council",
    )
    created["documents"] += 1
